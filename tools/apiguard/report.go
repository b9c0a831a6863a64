package main

import (
	"strings"
)

// Change is one incompatible change in an apidiff report.
type Change struct {
	Subject string // the qualified name the changelog must use, e.g. webhook.Verification.Decoded
	Line    string // the report's line, without its "- "
}

// Incompatible returns the incompatible changes of an `apidiff -m` report, their
// subjects qualified with the name of the package they are in (root, the name
// of the module's root package).
func Incompatible(report, root string) []Change {
	var out []Change
	in := false
	for _, line := range strings.Split(report, "\n") {
		line = strings.TrimRight(line, "\r")
		switch {
		case line == "Incompatible changes:":
			in = true
		case line == "Compatible changes:":
			in = false
		case in && strings.HasPrefix(line, "- "):
			entry := strings.TrimPrefix(line, "- ")
			subject, _, _ := strings.Cut(entry, ": ")
			out = append(out, Change{Subject: qualify(subject, root), Line: entry})
		}
	}
	return out
}

// qualify turns apidiff's subject into the name the changelog uses.
func qualify(subject, root string) string {
	if path, ok := strings.CutPrefix(subject, "package "); ok {
		return path
	}
	pkg := root
	if rel, ok := strings.CutPrefix(subject, "./"); ok {
		dir, rest, found := strings.Cut(rel, ".")
		if !found {
			return normalize(rel)
		}
		pkg = dir[strings.LastIndex(dir, "/")+1:]
		subject = rest
	}
	return pkg + "." + normalize(subject)
}

// normalize spells a method of *T or T as T.M and drops a trailing "()".
func normalize(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimSuffix(s, "()")
	if strings.HasPrefix(s, "(") {
		if i := strings.Index(s, ")"); i > 0 {
			s = strings.TrimPrefix(s[1:i], "*") + s[i+1:]
		}
	}
	return s
}

// Covers reports whether names (from the changelog) name subject: the subject
// itself or a type or function it belongs to. A name in the module's root
// package (root) may leave out the package name.
func Covers(names map[string]bool, subject, root string) bool {
	for s := subject; ; {
		if names[s] {
			return true
		}
		if rest, ok := strings.CutPrefix(s, root+"."); ok && names[rest] {
			return true
		}
		if i := strings.LastIndex(s, "/"); i >= 0 && names[s[i+1:]] {
			return true // a package named by its last element
		}
		i := strings.LastIndex(s, ".")
		if i <= 0 || !strings.Contains(s[:i], ".") {
			return false // down to pkg.Name: a bare package name names nothing
		}
		s = s[:i]
	}
}
