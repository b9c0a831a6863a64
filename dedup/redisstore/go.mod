module github.com/stashpay/stashpay-go/dedup/redisstore

go 1.25

// Released versions require the core version below (a tag vX.Y.Z that
// .ci/release.sh sets and checks). The replace makes a build of this module
// from a clone use the core module beside it; Go honours a replace only in
// the main module's go.mod, so a module that requires this one ignores it
// and gets the required core version.
replace github.com/stashpay/stashpay-go => ../..

require (
	github.com/google/uuid v1.6.0
	github.com/redis/go-redis/v9 v9.22.0
	github.com/stashpay/stashpay-go v0.1.0
	github.com/stretchr/testify v1.12.1
)

require (
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	go.uber.org/atomic v1.11.0 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
	golang.org/x/sys v0.30.0 // indirect
)
