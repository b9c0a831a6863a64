package main

import (
	"errors"
	"strings"

	"golang.org/x/mod/semver"
)

// Named returns the names in code spans of the changelog's Unreleased section
// and of the sections of releases after the release after (every release when
// after is empty). A changelog without an Unreleased section is an error.
func Named(changelog, after string) (map[string]bool, error) {
	if after != "" && !semver.IsValid(after) {
		return nil, errors.New("-after: not a semantic version")
	}
	names := map[string]bool{}
	unreleased, counting := false, false
	for _, line := range strings.Split(changelog, "\n") {
		if heading, ok := strings.CutPrefix(line, "## "); ok {
			counting = false
			label := heading
			if strings.HasPrefix(label, "[") {
				label, _, _ = strings.Cut(label[1:], "]")
			} else {
				label, _, _ = strings.Cut(label, " ")
			}
			label = strings.TrimSpace(label)
			switch v := "v" + strings.TrimPrefix(label, "v"); {
			case strings.EqualFold(label, "Unreleased"):
				unreleased, counting = true, true
			case semver.IsValid(v):
				counting = after == "" || semver.Compare(v, after) > 0
			}
			continue
		}
		if !counting {
			continue
		}
		for _, span := range codeSpans(line) {
			if n := normalize(span); n != "" {
				names[n] = true
			}
		}
	}
	if !unreleased {
		return nil, errors.New(`no "## [Unreleased]" section`)
	}
	return names, nil
}

// codeSpans returns the text of the single-backtick code spans of one line.
func codeSpans(line string) []string {
	var spans []string
	for {
		_, rest, ok := strings.Cut(line, "`")
		if !ok {
			return spans
		}
		span, after, ok := strings.Cut(rest, "`")
		if !ok {
			return spans
		}
		if span != "" {
			spans = append(spans, span)
		}
		line = after
	}
}
