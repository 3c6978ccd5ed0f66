package client

import "time"

// An Option configures a connection made by Dial, NewPool or
// NewBuffered.
type Option func(*options)

// options is what the Options set; the zero value connects with RESP2,
// no authentication, database 0, and no timeouts but ctx's.
type options struct {
	user, password string
	hasPassword    bool
	db             int
	protocol       int
	name           string
	dialTimeout    time.Duration
	readTimeout    time.Duration
	writeTimeout   time.Duration
	// poolSize is the number of connections a Pool keeps; see WithPoolSize.
	poolSize int
	// messageBuffer is the capacity of a Subscription's channel.
	messageBuffer int
}

func buildOptions(opts []Option) options {
	o := options{protocol: 2, poolSize: 10, messageBuffer: 100}
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// WithPassword authenticates with AUTH password (or, with WithUser, AUTH
// user password, or the AUTH of HELLO when WithProtocol asks for RESP3).
func WithPassword(password string) Option {
	return func(o *options) { o.password, o.hasPassword = password, true }
}

// WithUser names the ACL user to authenticate as; it needs WithPassword.
func WithUser(user string) Option {
	return func(o *options) { o.user = user }
}

// WithDB selects database db with SELECT after connecting.
func WithDB(db int) Option {
	return func(o *options) { o.db = db }
}

// WithProtocol chooses the protocol version, 2 (the default) or 3, with
// HELLO. RESP3 replies carry maps, sets, doubles and booleans, and
// pub/sub messages come as push frames.
func WithProtocol(version int) Option {
	return func(o *options) { o.protocol = version }
}

// WithClientName sets the connection's name (CLIENT SETNAME, or HELLO's
// SETNAME), as CLIENT LIST shows it.
func WithClientName(name string) Option {
	return func(o *options) { o.name = name }
}

// WithDialTimeout bounds how long connecting, including the handshake
// (HELLO, AUTH, SELECT), may take, beyond any deadline of ctx.
func WithDialTimeout(d time.Duration) Option {
	return func(o *options) { o.dialTimeout = d }
}

// WithReadTimeout bounds how long a call waits for its replies, beyond
// any deadline of its ctx. Blocking commands such as BLPOP add their own
// timeout to it. A call that times out closes the connection.
func WithReadTimeout(d time.Duration) Option {
	return func(o *options) { o.readTimeout = d }
}

// WithWriteTimeout bounds how long a call may take to send its commands.
func WithWriteTimeout(d time.Duration) Option {
	return func(o *options) { o.writeTimeout = d }
}

// WithPoolSize sets how many connections a Pool holds at most (default
// 10). Other constructors ignore it.
func WithPoolSize(n int) Option {
	return func(o *options) { o.poolSize = n }
}

// WithMessageBuffer sets the capacity of a Subscription's message channel
// (default 100). A full channel stops reading from the connection until
// the receiver catches up.
func WithMessageBuffer(n int) Option {
	return func(o *options) { o.messageBuffer = n }
}
