module github.com/stashpay/stashpay-go/dedup/pgstore

go 1.25.0

// Released versions require the core version below (a tag vX.Y.Z that
// .ci/release.sh sets and checks). The replace makes a build of this module
// from a clone use the core module beside it; Go honours a replace only in
// the main module's go.mod, so a module that requires this one ignores it
// and gets the required core version.
replace github.com/stashpay/stashpay-go => ../..

require (
	github.com/google/uuid v1.6.0
	github.com/jackc/pgx/v5 v5.12.0
	github.com/stashpay/stashpay-go v0.1.0
	github.com/stretchr/testify v1.12.1
)

require (
	github.com/jackc/pgpassfile v1.0.0 // indirect
	github.com/jackc/pgservicefile v0.0.0-20240606120523-5a60cdf6a761 // indirect
	github.com/jackc/puddle/v2 v2.2.3 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
	golang.org/x/sync v0.22.0 // indirect
	golang.org/x/text v0.41.0 // indirect
)
