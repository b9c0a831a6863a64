// Command apiguard fails when apidiff reports an incompatible change to a
// module's API that the changelog does not name.
//
// Usage:
//
//	apiguard -name PKG [-changelog CHANGELOG.md] [-after vX.Y.Z] [-ignore NAME,...] [REPORT]
//
// REPORT (default standard input) is the text of `apidiff -m OLD NEW`. PKG is
// the name of the module's root package (stashpay, redisstore, pgstore): a
// change apidiff reports as "Amount" is named in the changelog as
// `stashpay.Amount` (or `Amount`), one in ./webhook as `webhook.Name`, a
// method (*T).M as `pkg.T.M`. Naming a type or function also covers its
// fields and methods (`webhook.Verification` covers
// `webhook.Verification.Decoded`). The names are read from code spans in the
// "Unreleased" section and, when the baseline is a release, in the sections
// of the releases after it (-after); with no -after, every section counts.
// -ignore lists subjects that change by design, such as stashpay.Version,
// whose value is the version of each release.
//
// Exit status: 0 when every incompatible change is named, 1 when some is not
// (each listed), 2 on bad usage or unreadable input.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

func main() {
	name := flag.String("name", "", "name of the module's root package, such as stashpay")
	changelog := flag.String("changelog", "CHANGELOG.md", "the changelog (Keep a Changelog style)")
	after := flag.String("after", "", "the baseline release: only sections of later releases (and Unreleased) count")
	ignore := flag.String("ignore", "", "comma-separated subjects that change by design (e.g. stashpay.Version)")
	flag.Parse()
	if *name == "" || flag.NArg() > 1 {
		fmt.Fprintln(os.Stderr, "usage: apiguard -name PKG [-changelog FILE] [-after vX.Y.Z] [REPORT]")
		os.Exit(2)
	}
	var report []byte
	var err error
	if flag.NArg() == 1 {
		report, err = os.ReadFile(flag.Arg(0))
	} else {
		report, err = io.ReadAll(os.Stdin)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "apiguard:", err)
		os.Exit(2)
	}
	log, err := os.ReadFile(*changelog)
	if err != nil {
		fmt.Fprintln(os.Stderr, "apiguard:", err)
		os.Exit(2)
	}
	var ignored []string
	if *ignore != "" {
		ignored = strings.Split(*ignore, ",")
	}
	os.Exit(run(os.Stdout, os.Stderr, string(report), string(log), *name, *after, ignored...))
}

// run checks report against changelog and returns the exit status.
func run(stdout, stderr io.Writer, report, changelog, name, after string, ignored ...string) int {
	names, err := Named(changelog, after)
	if err != nil {
		fmt.Fprintln(stderr, "apiguard: changelog:", err)
		return 2
	}
	changes := Incompatible(report, name)
	var missing []Change
	skip := map[string]bool{}
	for _, s := range ignored {
		skip[s] = true
	}
	for _, c := range changes {
		if !skip[c.Subject] && !Covers(names, c.Subject, name) {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		fmt.Fprintf(stderr, "apiguard: %d of %d incompatible changes to %s are not named in the changelog's Unreleased section:\n", len(missing), len(changes), name)
		for _, c := range missing {
			fmt.Fprintf(stderr, "  `%s` (%s)\n", c.Subject, c.Line)
		}
		return 1
	}
	fmt.Fprintf(stdout, "apiguard: %s: %d incompatible changes, each named in the changelog\n", name, len(changes))
	return 0
}
