package httpx

import (
	"errors"
	"net/url"
)

// WithoutQuery returns err, the error of an http.Client call, with the URL
// it names shown without its query and password: a webhook URL may carry a
// token in its query (Stash sends no custom headers, so its docs suggest
// one), and a *url.Error prints the whole URL. Other errors are returned as
// they are.
func WithoutQuery(err error) error {
	var ue *url.Error
	if !errors.As(err, &ue) {
		return err
	}
	u, perr := url.Parse(ue.URL)
	if perr != nil {
		return &url.Error{Op: ue.Op, URL: "(unparsable URL)", Err: ue.Err}
	}
	if u.RawQuery == "" && u.User == nil {
		return err
	}
	shown := *u
	shown.RawQuery, shown.ForceQuery = "", false
	s := shown.Redacted()
	if u.RawQuery != "" {
		s += "?..."
	}
	return &url.Error{Op: ue.Op, URL: s, Err: ue.Err}
}
