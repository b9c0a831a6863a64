package events

import (
	"os"
	"path/filepath"
	"testing"
)

// AddSeedPayloads adds every testdata/*.json payload to the corpus of f. The
// fuzz targets of both test packages (FuzzParse, FuzzFastPathEquivalence)
// share it.
func AddSeedPayloads(f *testing.F) {
	f.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}
