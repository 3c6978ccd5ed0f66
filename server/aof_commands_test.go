package server

import (
	"regexp"
	"strings"
)

// unixMillis matches a time in milliseconds this century, which differs
// between the two servers' runs.
var unixMillis = regexp.MustCompile(`^1[0-9]{12}$`)

// maskedCommands reads r's commands until its first error (the end of
// what it was given, or a command cut short), one string each: the
// arguments joined by spaces, times in milliseconds replaced by "<ms>" so
// that two servers' commands compare equal.
func maskedCommands(r *aofReader) []string {
	var out []string
	for {
		args, _, err := r.next()
		if err != nil {
			return out
		}
		words := make([]string, len(args))
		for i, a := range args {
			words[i] = string(a)
			if unixMillis.MatchString(words[i]) {
				words[i] = "<ms>"
			}
		}
		out = append(out, strings.Join(words, " "))
	}
}
