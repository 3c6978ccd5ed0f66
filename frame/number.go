package frame

import "github.com/mini-redis/mini-redis/internal/redisint"

// ParseInt parses b as Redis parses integers everywhere (string2ll): an
// optional minus sign and decimal digits, no plus sign, no leading zeros,
// no spaces, within int64. It reports false for anything else.
func ParseInt(b []byte) (int64, bool) { return redisint.Parse(b) }
