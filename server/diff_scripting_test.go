package server

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mini-redis/mini-redis/internal/redistest"
)

// Differential tests of scripting: the same scripts run by EVAL and its
// kin on redis-server and on this server, on RESP2 and RESP3 connections.
// A script's Lua errors name its SHA1 and line, which are the same on both
// servers for the same body.

// ev returns EVAL body numkeys args...
func ev(body string, rest ...string) step { return q(append([]string{"EVAL", body}, rest...)...) }

var scriptingDiffScripts = map[string][]step{
	"returns": {
		ev("return 1", "0"), ev("return 3.99", "0"), ev("return -3.7", "0"), ev("return 'x'", "0"),
		ev("return true", "0"), ev("return false", "0"), ev("return nil", "0"), ev("return", "0"),
		ev("return {1,2,3.7,nil,5}", "0"), ev("return {1,{2,{3}},'x',true,false}", "0"), ev("return {a=1}", "0"),
		ev("return {}", "0"), ev("return {err='My Error'}", "0"), ev("return {err=''}", "0"),
		ev("return {ok='fine'}", "0"), ev("return {ok='a\\r\\nb'}", "0"), ev("return {1e20, -3.7, 2^63}", "0"),
		ev("return {double=3.5}", "0"), ev("return {double=0.1}", "0"), ev("return {map={a=1}}", "0"),
		ev("return {set={a=true}}", "0"), ev("return {big_number='123'}", "0"),
		ev("return {verbatim_string={format='txt', string='x'}}", "0"), ev("return {1, {err='nested'}}", "0"),
		ev("return redis.error_reply('x')", "0"), ev("return redis.error_reply('MY x')", "0"),
		ev("return redis.status_reply('x')", "0"), ev("return {KEYS[1],ARGV[1],#KEYS,#ARGV}", "1", "k", "a"),
		ev("return KEYS", "3", "a", "b", "c", "d"), ev("return ARGV", "0", "a", "b"),
		ev("return redis.REDIS_VERSION .. ' ' .. redis.REDIS_VERSION_NUM", "0"),
		ev("return redis.sha1hex('')", "0"), ev("return redis.sha1hex('abc')", "0"),
		ev("return {math.random(100), math.random(1, 6)}", "0"), ev("return tostring(3.0)..tostring(1e15)..tostring(0.1)", "0"),
		ev("return (\"x\"):upper()", "0"), ev("return string.format('%5.2f', 3.14159)", "0"),
		ev("return redis.replicate_commands()", "0"), ev("return redis.set_repl(redis.REPL_ALL)", "0"),
		ev("return redis.breakpoint()", "0"), ev("return redis.debug('x')", "0"),
		ev("return redis.log(redis.LOG_WARNING, 'hi')", "0"),
		ev("return {type(io), type(os), type(loadfile), type(dofile)}", "0"),
	},
	"calls": {
		ev("return redis.call('set', KEYS[1], ARGV[1])", "1", "k", "v"), ev("return redis.call('get', KEYS[1])", "1", "k"),
		ev("return redis.call('get', 'missing')", "0"), ev("return redis.call('incr', 'n')", "0"),
		ev("return redis.call('echo', 0.1)", "0"), ev("return redis.call('echo', 1e20)", "0"),
		ev("return redis.call('echo', 3.0)", "0"), ev("return redis.call('echo', 1e15)", "0"),
		ev("redis.call('rpush', 'l', 'a', 'b') return redis.call('lrange', 'l', 0, -1)", "0"),
		ev("redis.call('hset', 'h', 'f', 'v') return redis.call('hgetall', 'h')", "0"),
		ev("redis.setresp(3) return redis.call('hgetall', 'h')", "0"),
		ev("redis.setresp(3) return redis.call('get', 'missing')", "0"),
		ev("redis.setresp(3) local r = redis.call('hgetall', 'h') return r.map.f", "0"),
		ev("return redis.call('ping')", "0"), ev("return redis.pcall('ping')", "0"),
		ev("redis.call('select', '1') return redis.call('set', 'ins1', 'v')", "0"), s("GET ins1"), s("SELECT 1"),
		s("GET ins1"), s("SELECT 0"),
		ev("return redis.call('exists', 'k', 'nokey')", "0"), ev("return redis.call('type', 'k')", "0"),
		s("SET str x"), ev("return redis.pcall('lpush', 'str', 'a')", "0"),
	},
	"errors": {
		ev("return redis.call('nosuch')", "0"), ev("return redis.pcall('nosuch')", "0"),
		ev("local e=redis.pcall('nosuch') return e.err", "0"), ev("local e=redis.pcall('get') return e.err", "0"),
		ev("return redis.call('get')", "0"), ev("return redis.call('set', 'a')", "0"), s("SET str x"),
		ev("return redis.call('lpush', 'str', 'a')", "0"), ev("return redis.call()", "0"), ev("return redis.call(1)", "0"),
		ev("return redis.call('get', {})", "0"), ev("return redis.pcall('get', {})", "0"),
		ev("return redis.call('shutdown')", "0"), ev("return redis.call('eval', 'return 1', '0')", "0"),
		ev("return redis.call('blpop', 'nolist', '0')", "0"), ev("return redis.call('multi')", "0"),
		ev("return x", "0"), ev("x = 1", "0"), ev("string.x = 1", "0"), ev("redis.call = nil", "0"),
		ev("rawset(_G, 'x', 1) return 1", "0"), ev("return os.clock()", "0"),
		ev("error('boom')", "0"), ev("error('')", "0"), ev("error(1)", "0"), ev("error()", "0"),
		ev("error({err='ERR custom'})", "0"), ev("error({err='MINE custom'})", "0"),
		ev("return undefinedfn()", "0"),
		ev("return redis.setresp(4)", "0"), ev("return redis.setresp()", "0"), ev("return redis.sha1hex()", "0"),
		ev("return redis.log(99, 'hi')", "0"), ev("return redis.log(1)", "0"), ev("return redis.set_repl(99)", "0"),
		ev("return 1 +", "0"), ev("return \"unterminated", "0"),
		ev("return 'x'", "1"), ev("return 'x'", "-1"), ev("return 'x'", "abc"), ev("return 1 +", "1"),
		s("EVAL"), s("EVAL x"), s("EVALSHA abc 0"), s("EVALSHA ffffffffffffffffffffffffffffffffffffffff 0"),
		s("EVALSHA ffffffffffffffffffffffffffffffffffffffff x"),
		ev("local t = {} t[1] = t return 1", "0"),
		ev("return redis.call('config', 'bad')", "0"), ev("return redis.call('object')", "0"),
		ev("return redis.call('object', 'encoding', 'nokey')", "0"), ev("return redis.call('config', 'get', 'hz')", "0"),
		ev("return redis.call('client')", "0"), ev("return redis.call('select', 'x')", "0"),
		ev("return redis.call('incrbyfloat', 'f', 1.5)", "0"), ev("return redis.call('info', 'nosuchsection')", "0"),
		ev("return string.format('%s %d %.3f %5s|%-5s|', 1.5, 3.0, 1/3, 'ab', 'cd')", "0"),
		ev("return table.concat({1, 2.5, 'x'}, '-')", "0"), ev("return {math.floor(-2.5), math.ceil(-2.5), -7 % 3}", "0"),
		ev("return {string.byte('abc', 1, 3)}", "0"), ev("return 'a' < 'b' and 1 or 0", "0"),
		ev("return tostring(1/0) .. tostring(-1/0)", "0"), ev("return string.format('%g %g', 1e20, 0.1)", "0"),
		ev("return {string.find('a.b', '.', 1, true), string.find('abc', 'z')}", "0"),
		ev("return string.gsub('abc', '%w', '%0%0')", "0"), ev("return {('x'):rep(3, ','), ('%d'):format(7)}", "0"),
	},
	"shebang": {
		ev("#!lua flags=no-writes\nreturn redis.call('set','x','y')", "0"), ev("#!lua\nreturn redis.call('set','x','y')", "0"),
		ev("#!lua flags=bad\nreturn 1", "0"), ev("#!luajit\nreturn 1", "0"), ev("#!lua foo=bar\nreturn 1", "0"),
		ev("#!lua flags=no-writes,allow-oom\nreturn 1", "0"), ev("#!lua flags=\nreturn 1", "0"),
		ev("#!lua name=x\nreturn 1", "0"), ev("#!lua", "0"), ev("#!lua flags=no-writes,,allow-oom\nreturn 1", "0"),
		ev("#!lua flags=allow-stale,no-cluster,allow-cross-slot-keys\nreturn 2", "0"),
		ev("#!lua \"unbalanced\nreturn 1", "0"),
		q("EVAL_RO", "return redis.call('set','x','y')", "0"), q("EVAL_RO", "return redis.call('get','x')", "0"),
		q("EVAL_RO", "#!lua\nreturn 1", "0"), q("EVAL_RO", "#!lua flags=no-writes\nreturn redis.call('get','x')", "0"),
		q("EVAL_RO", "return redis.call('publish','ch','m')", "0"),
		q("SCRIPT", "LOAD", "return redis.call('incr', KEYS[1])"),
		q("EVALSHA_RO", "c6a8fb88fda5d1dc86d09ae3ffc9d0b42e3b4d8b", "1", "n"),
	},
	"script": {
		q("SCRIPT", "LOAD", "return 1 +"), q("SCRIPT", "LOAD", "return 1"),
		s("SCRIPT EXISTS e0e1f9fabfc9d4800c877a703b823ac0578ff8db abc E0E1F9FABFC9D4800C877A703B823AC0578FF8DB"),
		s("EVALSHA e0e1f9fabfc9d4800c877a703b823ac0578ff8db 0"), s("EVALSHA E0E1F9FABFC9D4800C877A703B823AC0578FF8DB 0"),
		s("SCRIPT FLUSH"), s("SCRIPT EXISTS e0e1f9fabfc9d4800c877a703b823ac0578ff8db"),
		s("EVALSHA e0e1f9fabfc9d4800c877a703b823ac0578ff8db 0"),
		s("SCRIPT FLUSH ASYNC"), s("SCRIPT FLUSH sync"), s("SCRIPT FLUSH bad"), s("SCRIPT FLUSH sync x"),
		s("SCRIPT KILL"), s("SCRIPT bad"), s("SCRIPT"), s("SCRIPT LOAD"), s("SCRIPT EXISTS"), s("SCRIPT HELP"),
		s("SCRIPT DEBUG NO"), s("SCRIPT DEBUG bad"), s("SCRIPT DEBUG"),
		s("MULTI"), ev("return redis.call('incr', 'm')", "0"), ev("return redis.call('incr', 'm')", "0"), s("EXEC"),
	},
	"functions": {
		q("FUNCTION", "LOAD", "return 1"), q("FUNCTION", "LOAD", "#!lua\nreturn 1"),
		q("FUNCTION", "LOAD", "#!lua name=bad-name\nreturn 1"), q("FUNCTION", "LOAD", "#!foo name=x\nreturn 1"),
		q("FUNCTION", "LOAD", "#!lua name=lib1\nreturn 1"), q("FUNCTION", "LOAD", "#!lua name=lib1 x=y\nreturn 1"),
		q("FUNCTION", "LOAD", "#!lua name=a name=b\nreturn 1"), q("FUNCTION", "LOAD", "#!lua name=x"),
		q("FUNCTION", "LOAD", "#!lua name=lib1\nredis.register_function('f1', function(keys, args) return {keys[1], args[1]} end)"),
		q("FUNCTION", "LOAD", "#!lua name=lib1\nredis.register_function('f1', function() return 1 end)"),
		q("FUNCTION", "LOAD", "#!lua name=lib2\nredis.register_function('f1', function() return 1 end)"),
		q("FUNCTION", "LOAD", "#!lua name=lib3\nredis.register_function('f-x', function() return 1 end)"),
		q("FUNCTION", "LOAD", "#!lua name=lib3\nredis.register_function('g', 1)"),
		q("FUNCTION", "LOAD", "#!lua name=lib3\nredis.register_function('g')"),
		q("FUNCTION", "LOAD", "#!lua name=lib3\nredis.register_function(1, 2, 3)"),
		q("FUNCTION", "LOAD", "#!lua name=lib4\nredis.register_function{function_name='h', callback=function() return 1 end, flags={'bad'}}"),
		q("FUNCTION", "LOAD", "#!lua name=lib4\nredis.register_function{function_name='h', callback=function() return 1 end, foo=1}"),
		q("FUNCTION", "LOAD", "#!lua name=lib4\nredis.register_function{function_name='h'}"),
		q("FUNCTION", "LOAD", "#!lua name=lib4\nredis.register_function{callback=function() end}"),
		q("FUNCTION", "LOAD", "#!lua name=lib4\nredis.register_function{function_name=1, callback=function() end}"),
		q("FUNCTION", "LOAD", "#!lua name=lib4\nredis.register_function('h', function() return 1 end) redis.register_function('h', function() return 1 end)"),
		q("FUNCTION", "LOAD", "#!lua name=lib4\nredis.call('ping')"), q("FUNCTION", "LOAD", "#!lua name=lib4\nreturn x"),
		q("FUNCTION", "LOAD", "#!lua name=lib4\nreturn +"), q("FUNCTION", "LOAD", "#!lua name=lib4\nerror('boom')"),
		q("FUNCTION", "LOAD", "BAD", "#!lua name=lib4\nreturn 1"), q("FUNCTION", "LOAD", "REPLACE"),
		q("FUNCTION", "LOAD", "REPLACE", "#!lua name=lib1\nredis.register_function('f1', function(keys, args) return {keys[1], args[1], 'v2'} end)"),
		q("FCALL", "f1", "1", "k", "a"), s("FCALL nosuch 0"), s("FCALL f1 2 k"), s("FCALL f1 x"), s("FCALL f1 -1"),
		q("FUNCTION", "LOAD", "#!lua name=lib3\nlocal function helper() return redis.call('set','a','b') end\nredis.register_function{function_name='g', callback=helper, flags={'no-writes'}, description='writes'}"),
		s("FCALL g 0"), s("FCALL_RO f1 0"), s("FCALL_RO g 0"), s("FUNCTION LIST LIBRARYNAME lib3"),
		s("FUNCTION LIST withcode libraryname lib1"), s("FUNCTION LIST LIBRARYNAME LIB3"), s("FUNCTION LIST bad"),
		s("FUNCTION LIST LIBRARYNAME"), s("FUNCTION STATS"), s("FUNCTION DELETE nolib"), s("FUNCTION DELETE lib3"),
		s("FUNCTION KILL"), s("FUNCTION FLUSH bad"), s("FUNCTION FLUSH"), s("FCALL f1 0"), s("FUNCTION LIST"),
		q("FUNCTION", "LOAD", "#!lua name=e\nredis.register_function('e', function() error('x') end)"), s("FCALL e 0"),
		q("FUNCTION", "LOAD", "#!lua name=e2\nredis.register_function('e2', function() return redis.call('nosuch') end)"),
		s("FCALL e2 0"), s("FUNCTION HELP"), s("FUNCTION FLUSH SYNC"),
		q("FUNCTION", "LOAD", "#!LUA name=up\nredis.register_function{function_name='up', callback=function(k, a) return redis.call('incr', k[1]) end, flags={'allow-oom', 'allow-stale'}}"),
		s("FCALL up 1 n"), s("FCALL up 1 n"), s("FUNCTION LIST"), s("FUNCTION FLUSH ASYNC"),
		q("FUNCTION", "LOAD", "#!lua name=loop\nwhile true do end"),
		q("FUNCTION", "LOAD", "#!lua name=up2\nlocal t = {x = 1} redis.register_function('lp', function() return t.x end)"),
		s("FCALL lp 0"),
	},
	"libraries": {
		ev("return bit.band(0xff,0x0f)..' '..bit.tohex(255)..' '..bit.bnot(0)..' '..bit.lshift(1,31)..' '..bit.tobit(2^32+5)", "0"),
		ev("return {bit.bor(1,2,4), bit.bxor(7,2), bit.rshift(-1, 28), bit.arshift(-256, 4), bit.rol(1, 33), bit.ror(1, 1), bit.bswap(0x12345678)}", "0"),
		ev("return {bit.tohex(-1, -4), bit.tohex(0x1f, 2)}", "0"),
		ev("return table.concat({1, 2, 3}, ',')", "0"), ev("return math.floor(2.5) + math.max(1, 7)", "0"),
		ev("return cjson.encode({1,2,{a=1}})", "0"), ev("return cjson.encode({})", "0"),
		ev("return cjson.encode({b='x\"/'})", "0"), ev("return cjson.encode({a=1.5})", "0"), ev("return cjson.encode(1/3)", "0"),
		ev("return cjson.decode('[1,2,{\"a\":null}]')", "0"),
		ev("return cjson.encode(cjson.decode('{\"a\":[1,2.5,\"x\",true,null]}'))", "0"),
		ev("return cjson.decode('bad')", "0"), ev("return cjson.decode('[1,2')", "0"), ev("return cjson.decode('{\"a\" 1}')", "0"),
		ev("return cjson.decode('[1] x')", "0"), ev("return cjson.decode('\"\\u00e9\\n\"')", "0"),
		ev("return cjson.encode({[1]=1,[5]=2})", "0"), ev("return cjson.encode({[1]=1,[50]=2})", "0"),
		ev("return cjson.encode(function() end)", "0"), ev("return cjson.encode(1e20)", "0"),
		ev("return cjson.encode(0/0)", "0"), ev("return cjson.encode('\\1\\127\\128\\t')", "0"),
		ev("return cjson.encode({1e15, 0.1, -0, 123456789012345, true, false, cjson.null})", "0"),
		ev("return cjson.decode(cjson.encode({x={y={1,2,3}}})).x.y[3]", "0"),
		ev("return string.rep('ab', 3)", "0"),
		ev("return struct.pack('>I2', 258)", "0"), ev("return struct.pack('<i4 >h b B', -2, -3, -1, 255)", "0"),
		ev("return struct.pack('!4 b i4 h d f', 1, 2, 3, 1.5, 0.25)", "0"), ev("return struct.pack('l L T', -1, 7, 9)", "0"),
		ev("return struct.pack('s c3 c0 x', 'ab', 'xyz', 'rest')", "0"), ev("return struct.pack('i12', -1)", "0"),
		ev("return {struct.unpack('>I2', struct.pack('>I2', 258))}", "0"),
		ev("return {struct.unpack('<i4 >h b B', struct.pack('<i4 >h b B', -2, -3, -1, 255))}", "0"),
		ev("return {struct.unpack('s B c0', struct.pack('s B c0', 'hi', 3, 'abc'))}", "0"),
		ev("return {struct.unpack('!8 b d', struct.pack('!8 b d', 1, 2.5))}", "0"),
		ev("return {struct.unpack('b', 'ab', 2)}", "0"), ev("return {struct.size('i4 h !8 d'), struct.size('>c5 x')}", "0"),
		ev("return struct.unpack('i4', 'ab')", "0"), ev("return struct.unpack('b', 'ab', 5)", "0"),
		ev("return struct.unpack('s', 'ab')", "0"), ev("return struct.unpack('c0', 'ab')", "0"),
		ev("return struct.pack('q', 1)", "0"), ev("return struct.pack('i40', 1)", "0"), ev("return struct.pack('!3 i', 1)", "0"),
		ev("return struct.pack('i', 'x')", "0"), ev("return struct.pack('i')", "0"), ev("return struct.pack('c5', 'ab')", "0"),
		ev("return struct.size('s')", "0"), ev("return struct.size('c0')", "0"), ev("return struct.pack('i', '12')", "0"),
		ev("return cmsgpack.pack({1,2,'a',{x=1}})", "0"), ev("return cmsgpack.unpack(cmsgpack.pack({1,2,'a',{x=1}}))", "0"),
		ev("return cmsgpack.pack(0, 127, 128, 255, 256, 65535, 65536, 4294967295, 4294967296, -1, -32, -33, -128, -129, -32768, -32769, -2147483648, -2147483649)", "0"),
		ev("return cmsgpack.pack(1.5, 0.1, -0.25, 1e300, true, false, nil, {}, {[1]=1, [3]=3})", "0"),
		ev("return cmsgpack.pack(string.rep('x', 31), string.rep('y', 32), string.rep('z', 256), string.rep('w', 70000))", "0"),
		ev("local t = {} for i = 1, 20 do t[i] = i end return cmsgpack.pack(t)", "0"),
		ev("local a = {} local t = a for i = 1, 20 do t[1] = {} t = t[1] end return cmsgpack.pack(a)", "0"),
		ev("return {cmsgpack.unpack(cmsgpack.pack(1, 'two', {3}, -4.5, 2^40))}", "0"),
		ev("return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3))}", "0"), ev("return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3), 2)}", "0"),
		ev("return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 2)}", "0"), ev("return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2), 5, 1)}", "0"),
		ev("return cmsgpack.unpack('\\220')", "0"), ev("return cmsgpack.unpack('\\193')", "0"), ev("return cmsgpack.pack()", "0"), ev("return math.random(0)", "0"), ev("return math.random(3, 1)", "0"),
		ev("return cmsgpack.unpack_one('\\1', 5)", "0"), ev("return {cmsgpack.unpack('\\196\\2ab')}", "0"),
		ev("local ok, e = pcall(redis.call, 'nosuch') return {tostring(ok), e.err}", "0"),
		ev("local ok, e = pcall(error, 'x') return {tostring(ok), e}", "0"),
		ev("local ok, e = pcall(function() local t = nil; return t.x end) return tostring(ok)", "0"),
		ev("KEYS[1] = 'changed' return KEYS[1]", "1", "k"), ev("return table.getn({1, 2, 3})", "0"),
		ev("return select('#', unpack({1, 2, 3}))", "0"), ev("return (string.gsub('hello world', 'o', '0'))", "0"),
		ev("return {tonumber('10'), tonumber('0x10'), tonumber('z', 36), tonumber('x')}", "0"),
		ev("return {string.find('abc', 'b'), string.match('key:42', '(%d+)')}", "0"),
		ev("return string.format('%d %s %q %x %5.1f', 42, 'a', 'q\"', 255, 2.25)", "0"),
		ev("local co = coroutine.create(function(a) coroutine.yield(a + 1) end) local ok, v = coroutine.resume(co, 1) return v", "0"),
		ev("local f = loadstring('return 7') return f()", "0"), ev("return math.huge > 0 and 1 or 0", "0"),
		ev("return {math.fmod(7, 3), math.pow(2, 10), math.sqrt(16), math.abs(-2)}", "0"),
		ev("local t = {3, 1, 2} table.sort(t) return t", "0"), ev("local t = {} table.insert(t, 'a') table.insert(t, 1, 'b') return t", "0"),
		ev("return xpcall(function() error('in') end, function(e) return 'handled: ' .. e end)", "0"),
		ev("return {string.len('abc'), #'abcd', string.sub('hello', 2, -2), string.reverse('ab'), string.lower('AB')}", "0"),
		ev("return type(_G)", "0"), ev("return _G.redis ~= nil and 1 or 0", "0"), ev("return _VERSION", "0"),
		ev("return tostring(nil) .. tostring(true)", "0"), ev("return 10 / 4", "0"), ev("return 7 % 3", "0"), ev("return {string.byte('A'), string.char(66)}", "0"),
	},
	// Globals are read through a chain of tables (scripting/lib.go), and
	// KEYS and ARGV reuse the previous call's strings: what one script
	// does to them, or a call with other arguments, shows in no other.
	"globals and arguments": {
		ev("return nosuch", "0"), ev("return _G.nosuch", "0"), ev("return _G[1]", "0"),
		ev("return rawget(_G, 'nosuch')", "0"), ev("return redis.nosuch", "0"), ev("return string.nosuch", "0"),
		ev("KEYS[1]='x' KEYS[3]='y' ARGV.z=1 setmetatable(ARGV, {}) return {KEYS[1], #KEYS}", "2", "a", "b", "c"),
		ev("return {#KEYS, #ARGV, KEYS[1], KEYS[2], ARGV[1], type(getmetatable(ARGV)), ARGV.z}", "1", "a", "c"),
		ev("return {KEYS[1], ARGV[1], ARGV[2], #ARGV}", "1", "k", "a", "b"),
		ev("return {KEYS[1], ARGV[1], ARGV[2], #ARGV}", "1", "k", "c"),
		ev("return {#KEYS, #ARGV, ARGV[1]}", "0"),
		q("FUNCTION", "LOAD", "#!lua name=libm\nlocal x = nosuch\nredis.register_function('m', function() return 1 end)"),
		q("FUNCTION", "LOAD", "#!lua name=libn\nlocal x = string\nredis.register_function('n', function() return 1 end)"),
		q("FUNCTION", "LOAD", "#!lua name=libq\nredis.register_function('q', function() return 1 end) return redis.call('ping')"),
		q("FUNCTION", "LOAD", "#!lua name=libo\nredis.register_function('o', function(k, a) return {string.len(a[1]), type(redis.call), k[1]} end)"),
		q("FCALL", "o", "1", "kk", "abc"), q("FCALL", "o", "1", "kk", "de"),
		q("FUNCTION", "LOAD", "#!lua name=libp\nredis.register_function('p', function(k, a) return nosuch end)"),
		q("FCALL", "p", "0"), ev("return redis.register_function", "0"),
	},
}

func TestScriptingDifferential(t *testing.T) {
	redis := redistest.Start(t)
	ours := startRealServer(t)
	for _, proto := range []string{"2", "3"} {
		for name, script := range scriptingDiffScripts {
			t.Run("RESP"+proto+"/"+name, func(t *testing.T) {
				ref, got := dialPair(t, redis.Addr, ours, proto)
				for _, c := range []*rawConn{ref, got} {
					c.do("FLUSHALL")
					c.do("SCRIPT", "FLUSH")
					c.do("FUNCTION", "FLUSH")
					c.do("SELECT", "0")
				}
				for _, st := range script {
					compareStep(t, st, ref, got)
				}
			})
		}
	}
}

// helloID matches the client ID in a HELLO reply, which differs between
// servers that have seen different connections.
var helloID = regexp.MustCompile(`\$2\r\nid\r\n:[0-9]+\r\n`)

// busySequence runs a script that loops until killed on one connection and
// talks to the server from another while it runs; it returns the replies.
func busySequence(t *testing.T, addr, proto string) []string {
	runner, other := dialRaw(t, addr), dialRaw(t, addr)
	runner.do("HELLO", proto)
	other.do("HELLO", proto)
	var replies []string
	add := func(r string) { replies = append(replies, r) }
	add(other.do("CONFIG", "SET", "busy-reply-threshold", "100"))
	add(other.do("SCRIPT", "KILL"))
	runner.Send("EVAL", "local i = 0 while true do i = i + 1 end", "0")
	time.Sleep(300 * time.Millisecond)
	add(other.do("PING"))
	add(other.do("GET", "x"))
	// Commands flagged allow-busy, which touch only the connection, are
	// served while the script is busy.
	add(other.do("AUTH", "pw"))
	hello := func() string { return helloID.ReplaceAllString(other.do("HELLO", proto), "id ?") }
	add(hello())
	add(other.do("MULTI"))
	add(other.do("DISCARD"))
	add(other.do("UNWATCH"))
	add(other.do("RESET"))
	add(hello())
	add(other.do("SCRIPT", "KILL"))
	add(runner.readReply())
	add(other.do("PING"))
	add(runner.do("PING"))
	// A script that has written cannot be killed; one that never passes
	// the threshold ends before SCRIPT KILL is taken up.
	add(other.do("CONFIG", "SET", "busy-reply-threshold", "5000"))
	runner.Send("EVAL", "local t = redis.call('time') while redis.call('time')[1] - t[1] < 1 do end return 'done'", "0")
	time.Sleep(100 * time.Millisecond)
	add(other.do("SCRIPT", "KILL"))
	add(runner.readReply())
	add(other.do("CONFIG", "SET", "lua-time-limit", "100"))
	runner.Send("EVAL", "redis.call('set', 'x', 'y') local t = redis.call('time') while redis.call('time')[1] - t[1] < 1 do end return 'wrote'", "0")
	time.Sleep(300 * time.Millisecond)
	add(other.do("SCRIPT", "KILL"))
	add(other.do("SET", "x", "z"))
	add(runner.readReply())
	add(other.do("GET", "x"))
	// A function: BUSY names FUNCTION KILL, which stops it.
	add(runner.do("FUNCTION", "LOAD", "REPLACE", "#!lua name=spin\nredis.register_function{function_name='spin', callback=function() while true do end end, flags={'no-writes'}}"))
	runner.Send("FCALL", "spin", "0")
	time.Sleep(300 * time.Millisecond)
	add(other.do("PING"))
	add(other.do("SCRIPT", "KILL"))
	add(other.do("FUNCTION", "KILL"))
	add(runner.readReply())
	add(other.do("FUNCTION", "KILL"))
	runner.Send("EVAL", "while true do end", "0")
	time.Sleep(300 * time.Millisecond)
	add(other.do("FUNCTION", "KILL"))
	add(other.do("SCRIPT", "KILL"))
	add(runner.readReply())
	return replies
}

// TestScriptBusyAgainstRedis compares what other clients get while a
// script runs past busy-reply-threshold, and SCRIPT KILL.
func TestScriptBusyAgainstRedis(t *testing.T) {
	redis := redistest.Start(t)
	ours := startRealServer(t)
	for _, proto := range []string{"2", "3"} {
		want, have := busySequence(t, redis.Addr, proto), busySequence(t, ours, proto)
		if !slices.Equal(want, have) {
			t.Errorf("RESP%s:\n redis: %q\n   ours: %q", proto, want, have)
		}
	}
}

// TestScriptShutdownNosave checks that SHUTDOWN NOSAVE ends a server whose
// busy script has written, as in Redis.
func TestScriptShutdownNosave(t *testing.T) {
	ours := startRealServerHandle(t, "--busy-reply-threshold", "50")
	runner, other := dialRaw(t, ours.addr), dialRaw(t, ours.addr)
	runner.Send("EVAL", "redis.call('set', 'x', 'y') while true do end", "0")
	time.Sleep(150 * time.Millisecond)
	if r := other.do("SHUTDOWN"); !strings.HasPrefix(r, "-BUSY") {
		t.Errorf("SHUTDOWN while busy: %q, want BUSY", r)
	}
	other.Send("SHUTDOWN", "NOSAVE")
	select {
	case <-ours.ShutdownRequested():
	case <-time.After(5 * time.Second):
		t.Fatal("SHUTDOWN NOSAVE did not end the busy script's server")
	}
}

// TestScriptErrorStatsAgainstRedis compares INFO errorstats and the failed
// calls after scripts that fail in each way: a command's error counts
// once, where the command replied, even when the script passes it on.
func TestScriptErrorStatsAgainstRedis(t *testing.T) {
	redis := redistest.Start(t)
	ours := startRealServer(t)
	stats := func(addr string) []string {
		c := dialRaw(t, addr)
		c.do("SET", "s", "x")
		c.do("CONFIG", "RESETSTAT")
		for _, body := range []string{
			"return redis.call('nosuch')", "return redis.call('lpush', 's', 'a')", "return redis.pcall('lpush', 's', 'a')",
			"error('x')", "return {err='MY e'}", "return {redis.pcall('lpush', 's', 'a')}", "return redis.call('get', 's')",
			"local e = redis.pcall('lpush', 's', 'a') return redis.error_reply(e.err)",
		} {
			c.do("EVAL", body, "0")
		}
		errorstats := strings.Split(strings.TrimSpace(strings.SplitN(c.do("INFO", "errorstats"), "\r\n", 2)[1]), "\r\n")
		slices.Sort(errorstats)
		commandstats := c.do("INFO", "commandstats")
		var failed []string
		for _, line := range strings.Split(commandstats, "\r\n") {
			if strings.HasPrefix(line, "cmdstat_eval:") || strings.HasPrefix(line, "cmdstat_lpush:") {
				failed = append(failed, line[:strings.Index(line, ":")]+" "+line[strings.Index(line, "rejected_calls"):])
			}
		}
		slices.Sort(failed)
		return append(append(errorstats, failed...), "total_error_replies:"+infoField(t, c, "stats", "total_error_replies"))
	}
	if want, have := stats(redis.Addr), stats(ours); !slices.Equal(want, have) {
		t.Errorf("\n redis: %q\n   ours: %q", want, have)
	}
}

// TestScriptPauseAgainstRedis compares which scripts CLIENT PAUSE WRITE
// holds: those that may write, by their flags.
func TestScriptPauseAgainstRedis(t *testing.T) {
	redis := redistest.Start(t)
	ours := startRealServer(t)
	scripts := [][]string{
		{"EVAL", "return 1", "0"},
		{"EVAL", "#!lua flags=no-writes\nreturn 2", "0"},
		{"EVAL", "#!lua\nreturn 3", "0"},
		{"EVAL_RO", "return 4", "0"},
		{"EVALSHA", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "0"},
		{"FCALL", "ro", "0"},
		{"FCALL", "rw", "0"},
		{"FCALL_RO", "ro", "0"},
		{"FCALL", "nosuch", "0"},
	}
	held := func(addr string) []string {
		admin, c := dialRaw(t, addr), dialRaw(t, addr)
		admin.do("FUNCTION", "FLUSH")
		admin.do("SCRIPT", "LOAD", "#!lua flags=no-writes\nreturn 1")
		admin.do("FUNCTION", "LOAD", "#!lua name=p\nredis.register_function{function_name='ro', callback=function() return 1 end, flags={'no-writes'}}\nredis.register_function('rw', function() return 2 end)")
		var out []string
		for _, args := range scripts {
			admin.do("CLIENT", "PAUSE", "100000", "WRITE")
			c.Send(args...)
			if _, raw, err := c.Receive(200 * time.Millisecond); err == nil {
				out = append(out, "ran: "+string(raw))
				admin.do("CLIENT", "UNPAUSE")
				continue
			}
			admin.do("CLIENT", "UNPAUSE")
			out = append(out, "held: "+c.readReply())
		}
		return out
	}
	if want, have := held(redis.Addr), held(ours); !slices.Equal(want, have) {
		t.Errorf("\n redis: %q\n   ours: %q", want, have)
	}
}
