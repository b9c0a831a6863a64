package redisstore

// WithoutSetGet makes a store claim through the script alone, as it does on
// a Redis older than 7, which refuses SET ... NX GET.
func WithoutSetGet() Option { return func(s *Store) { s.noSetGet.Store(true) } }
