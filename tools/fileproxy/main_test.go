package main

import (
	"archive/zip"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// writeTree writes files (path -> content) under a new temporary directory.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	}
	return dir
}

func TestRunWritesAReleasedVersion(t *testing.T) {
	t.Parallel()
	mod := writeTree(t, map[string]string{
		"go.mod":            "module example.com/Core\n\ngo 1.25\n",
		"core.go":           "package core\n",
		"dedup/store.go":    "package dedup\n",
		"dedup/sub/go.mod":  "module example.com/Core/dedup/sub\n",
		"dedup/sub/sub.go":  "package sub\n",
		"vendor/x/x.go":     "package x\n",
		"testdata/seed.txt": "kept\n",
	})
	out := t.TempDir()
	require.NoError(t, run(out, "v0.1.0", "2026-12-02T10:00:00Z", []string{mod}))
	require.NoError(t, run(out, "v0.1.0", "2026-12-02T10:00:00Z", []string{mod}), "writing a version again replaces it")
	require.NoError(t, run(out, "v0.2.0-rc.1", "", []string{mod}))

	at := filepath.Join(out, "example.com", "!core", "@v") // upper case escaped as the proxy protocol says
	list, err := os.ReadFile(filepath.Join(at, "list"))
	require.NoError(t, err)
	assert.Equal(t, "v0.1.0\nv0.2.0-rc.1\n", string(list))
	info, err := os.ReadFile(filepath.Join(at, "v0.1.0.info"))
	require.NoError(t, err)
	assert.JSONEq(t, `{"Version":"v0.1.0","Time":"2026-12-02T10:00:00Z"}`, string(info))
	gomod, err := os.ReadFile(filepath.Join(at, "v0.1.0.mod"))
	require.NoError(t, err)
	assert.Equal(t, "module example.com/Core\n\ngo 1.25\n", string(gomod))

	z, err := zip.OpenReader(filepath.Join(at, "v0.1.0.zip"))
	require.NoError(t, err)
	defer z.Close()
	var names []string
	for _, f := range z.File {
		names = append(names, f.Name)
	}
	sort.Strings(names)
	assert.Equal(t, []string{
		"example.com/Core@v0.1.0/core.go",
		"example.com/Core@v0.1.0/dedup/store.go",
		"example.com/Core@v0.1.0/go.mod",
		"example.com/Core@v0.1.0/testdata/seed.txt",
	}, names, "nested modules and vendor directories are left out, as in a released version")
}

func TestRunRefuses(t *testing.T) {
	t.Parallel()
	mod := writeTree(t, map[string]string{"go.mod": "module example.com/m\n", "m.go": "package m\n"})
	noModule := writeTree(t, map[string]string{"go.mod": "go 1.25\n"})
	tests := []struct {
		name, version, stamp string
		dirs                 []string
		want                 string
	}{
		{"no directory", "v0.1.0", "", nil, "usage"},
		{"not semver", "0.1.0", "", []string{mod}, "-version"},
		{"not canonical", "v0.1", "", []string{mod}, "-version"},
		{"build metadata", "v0.1.0+meta", "", []string{mod}, "-version"},
		{"bad time", "v0.1.0", "yesterday", []string{mod}, "-time"},
		{"no go.mod", "v0.1.0", "", []string{t.TempDir()}, "go.mod"},
		{"no module line", "v0.1.0", "", []string{noModule}, "names no module"},
		{"major version the path lacks", "v2.0.0", "", []string{mod}, "v2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := run(t.TempDir(), tt.version, tt.stamp, tt.dirs)
			require.ErrorContains(t, err, tt.want)
		})
	}
}
