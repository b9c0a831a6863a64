// The release tooling of this repository (.ci/apicompat.sh, .ci/release.sh).
// Its own module so that the core module keeps its one runtime dependency;
// never released, never imported.
module github.com/stashpay/stashpay-go/tools

go 1.26.0

require golang.org/x/mod v0.42.0

require (
	github.com/stretchr/testify v1.12.1
	go.yaml.in/yaml/v3 v3.0.5 // indirect
)
