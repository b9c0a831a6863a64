// Command fileproxy writes one version of each given module into a directory
// laid out as a Go module proxy, so that GOPROXY=file://DIR serves it: the
// files a module proxy holds for a released version (@v/list, .info, .mod and
// the module zip), made the way the go command makes them from a tag.
//
// Usage:
//
//	fileproxy -out DIR -version vX.Y.Z [-time RFC3339] MODULE_DIR...
//
// Each MODULE_DIR holds a go.mod; its zip leaves out what a released version
// leaves out (nested modules, vendor directories), and a file a module zip
// cannot hold is an error naming it. .ci/release.sh uses it to install the
// modules "as released" without publishing anything.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"
	"golang.org/x/mod/zip"
)

func main() {
	out := flag.String("out", "", "proxy directory to write into (created when missing)")
	version := flag.String("version", "", "version to write, such as v0.1.0")
	stamp := flag.String("time", "", "commit time for the .info files (RFC 3339; default now)")
	flag.Parse()
	if err := run(*out, *version, *stamp, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "fileproxy:", err)
		os.Exit(1)
	}
}

func run(out, version, stamp string, dirs []string) error {
	if out == "" || len(dirs) == 0 {
		return errors.New("usage: fileproxy -out DIR -version vX.Y.Z MODULE_DIR...")
	}
	if !semver.IsValid(version) || semver.Canonical(version) != version || semver.Build(version) != "" {
		return fmt.Errorf("-version: want a canonical semantic version such as v0.1.0")
	}
	t := time.Now().UTC().Truncate(time.Second)
	if stamp != "" {
		var err error
		if t, err = time.Parse(time.RFC3339, stamp); err != nil {
			return fmt.Errorf("-time: %w", err)
		}
	}
	for _, dir := range dirs {
		if err := write(out, version, t, dir); err != nil {
			return fmt.Errorf("%s: %w", dir, err)
		}
	}
	return nil
}

// write adds version of the module in dir to the proxy directory out.
func write(out, version string, t time.Time, dir string) error {
	gomod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return err
	}
	path := modfile.ModulePath(gomod)
	if path == "" {
		return errors.New("go.mod names no module")
	}
	mv := module.Version{Path: path, Version: version}
	if err := module.Check(path, version); err != nil {
		return err
	}
	epath, err := module.EscapePath(path)
	if err != nil {
		return err
	}
	ever, err := module.EscapeVersion(version)
	if err != nil {
		return err
	}
	at := filepath.Join(out, filepath.FromSlash(epath), "@v")
	if err := os.MkdirAll(at, 0o755); err != nil {
		return err
	}
	z, err := os.Create(filepath.Join(at, ever+".zip"))
	if err != nil {
		return err
	}
	if err := zip.CreateFromDir(z, mv, dir); err != nil {
		z.Close()
		return err
	}
	if err := z.Close(); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(at, ever+".mod"), gomod, 0o644); err != nil {
		return err
	}
	info, err := json.Marshal(struct {
		Version string
		Time    time.Time
	}{version, t})
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(at, ever+".info"), info, 0o644); err != nil {
		return err
	}
	return addToList(filepath.Join(at, "list"), version)
}

// addToList appends version to the proxy's version list unless it is there.
func addToList(list, version string) error {
	old, err := os.ReadFile(list)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	for _, v := range strings.Fields(string(old)) {
		if v == version {
			return nil
		}
	}
	return os.WriteFile(list, append(old, version+"\n"...), 0o644)
}
