module github.com/stashpay/stashpay-go/e2e/browser

go 1.25

require (
	github.com/chromedp/chromedp v0.23.1
	github.com/stashpay/stashpay-go v0.0.0-00010101000000-000000000000
)

require (
	github.com/chromedp/cdproto v0.160.1 // indirect
	github.com/go-json-experiment/json v0.0.0-20260213210345-44df1a37e875 // indirect
	github.com/google/uuid v1.6.0 // indirect
)

replace github.com/stashpay/stashpay-go => ../..
