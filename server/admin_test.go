package server

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mini-redis/mini-redis/admin"
	adminv1 "github.com/mini-redis/mini-redis/admin/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"
)

// adminClient serves the admin API of ts over an in-memory listener.
func adminClient(t *testing.T, ts *testServer) adminv1.AdminClient {
	t.Helper()
	ln := bufconn.Listen(1 << 20)
	srv := admin.NewServer(ts.adminBackend(), admin.Options{})
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Stop(context.Background()) })
	conn, err := grpc.NewClient("passthrough:///admin",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return ln.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return adminv1.NewAdminClient(conn)
}

func TestAdminAgainstTheServer(t *testing.T) {
	ts := startServer(t)
	api := adminClient(t, ts)
	ctx := context.Background()
	c := ts.dial(t)
	c.do("CLIENT", "SETNAME", "app")
	c.do("SET", "a", "1")
	c.do("SET", "b", "2", "EX", "100")
	c.do("SELECT", "5")
	c.do("SET", "c", "3")
	c.do("GET", "missing")
	c.do("SELECT", "0")

	st, err := api.GetStats(ctx, &adminv1.GetStatsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if st.Keys != 3 || st.ExpiringKeys != 1 || st.ConnectedClients != 1 || st.KeyspaceMisses != 1 ||
		len(st.Databases) != 2 || st.Databases[1].Db != 5 || st.DatasetBytes <= 0 || st.RedisVersion != RedisVersion {
		t.Errorf("GetStats = %v", st)
	}

	cs, err := api.GetCommandStats(ctx, &adminv1.GetCommandStatsRequest{Commands: []string{"set"}})
	if err != nil || len(cs.Commands) != 1 || cs.Commands[0].Calls != 3 || cs.Commands[0].P50Usec <= 0 {
		t.Errorf("GetCommandStats = %v, %v", cs, err)
	}

	cl, err := api.ListClients(ctx, &adminv1.ListClientsRequest{})
	if err != nil || len(cl.Clients) != 1 || cl.Clients[0].Name != "app" || cl.Clients[0].LastCommand != "select" {
		t.Fatalf("ListClients = %v, %v", cl, err)
	}

	if _, err := api.SetConfig(ctx, &adminv1.SetConfigRequest{Parameters: []*adminv1.ConfigParameter{{Name: "maxclients", Value: "77"}}}); err != nil {
		t.Fatal(err)
	}
	if got := c.do("CONFIG", "GET", "maxclients"); !strings.Contains(got, "77") {
		t.Errorf("CONFIG GET after SetConfig: %q", got)
	}
	_, err = api.SetConfig(ctx, &adminv1.SetConfigRequest{Parameters: []*adminv1.ConfigParameter{{Name: "maxclients", Value: "lots"}}})
	if status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), "maxclients") {
		t.Errorf("bad SetConfig: %v", err)
	}
	gc, err := api.GetConfig(ctx, &adminv1.GetConfigRequest{Patterns: []string{"maxcl*"}})
	if err != nil || len(gc.Parameters) != 1 || gc.Parameters[0].Value != "77" {
		t.Errorf("GetConfig = %v, %v", gc, err)
	}

	if _, err := api.FlushDB(ctx, &adminv1.FlushDBRequest{Db: 5}); err != nil {
		t.Fatal(err)
	}
	c.do("SELECT", "5")
	if got := c.do("DBSIZE"); got != ":0\r\n" {
		t.Errorf("DBSIZE of db 5 after FlushDB: %q", got)
	}
	c.do("SELECT", "0")
	if _, err := api.FlushDB(ctx, &adminv1.FlushDBRequest{Db: 16}); status.Code(err) != codes.InvalidArgument {
		t.Errorf("FlushDB 16: %v", err)
	}

	// Save and BackgroundSave write the dump.
	dir := t.TempDir()
	c.do("CONFIG", "SET", "dir", dir) // protected: refused to RESP clients
	if _, err := api.SetConfig(ctx, &adminv1.SetConfigRequest{Parameters: []*adminv1.ConfigParameter{{Name: "dir", Value: dir}}}); err != nil {
		t.Fatal(err)
	}
	sv, err := api.Save(ctx, &adminv1.SaveRequest{})
	if err != nil || sv.LastSaveUnix == 0 {
		t.Fatalf("Save = %v, %v", sv, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "dump.rdb")); err != nil {
		t.Fatalf("no dump after Save: %v", err)
	}
	if _, err := api.BackgroundSave(ctx, &adminv1.BackgroundSaveRequest{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return strings.Contains(c.do("INFO", "persistence"), "rdb_bgsave_in_progress:0") })
	if info := c.do("INFO", "persistence"); !strings.Contains(info, "rdb_last_bgsave_status:ok") {
		t.Errorf("after BackgroundSave:\n%s", info)
	}

	// KillClient closes the RESP client.
	id := strings.TrimSpace(strings.TrimPrefix(c.do("CLIENT", "ID"), ":"))
	var cid int64
	for _, ch := range id {
		cid = cid*10 + int64(ch-'0')
	}
	if _, err := api.KillClient(ctx, &adminv1.KillClientRequest{Target: &adminv1.KillClientRequest_Id{Id: cid}}); err != nil {
		t.Fatal(err)
	}
	if got, err := c.readUntilClose(); err != nil || len(got) != 0 {
		t.Errorf("client after KillClient: %q, %v; want a clean close", got, err)
	}
	if _, err := api.KillClient(ctx, &adminv1.KillClientRequest{Target: &adminv1.KillClientRequest_Id{Id: cid}}); status.Code(err) != codes.NotFound {
		t.Errorf("killing a gone client: %v", err)
	}

	// Shutdown asks the process to stop, with the options given.
	asked := ts.ShutdownRequested()
	if _, err := api.Shutdown(ctx, &adminv1.ShutdownRequest{Save: adminv1.ShutdownRequest_SAVE_NEVER, DrainTimeoutMs: 1500}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-asked:
	case <-time.After(hangTimeout):
		t.Fatal("Shutdown did not reach the server")
	}
	if o := ts.shutdownOpts.Load(); o == nil || o.Save == nil || *o.Save || o.Drain != 1500*time.Millisecond {
		t.Errorf("shutdown options = %+v", o)
	}
}

// ListUsers gives every ACL user with its ACL LIST line and the clients
// authenticated as it.
func TestAdminListUsers(t *testing.T) {
	ts := startServer(t)
	api := adminClient(t, ts)
	c := ts.dial(t)
	if got := c.do("ACL", "SETUSER", "app", "on", ">pw1", ">pw2", "~app:*", "+get"); got != "+OK\r\n" {
		t.Fatal(got)
	}
	c.do("ACL", "SETUSER", "off-user")
	ts.dial(t).do("PING") // another default client
	if got := ts.dial(t).do("AUTH", "app", "pw1"); got != "+OK\r\n" {
		t.Fatal(got)
	}
	list := c.do("ACL", "LIST")
	resp, err := api.ListUsers(context.Background(), &adminv1.ListUsersRequest{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, u := range resp.Users {
		got = append(got, fmt.Sprintf("%s on=%v nopass=%v passwords=%d clients=%d", u.Name, u.Enabled, u.Nopass,
			u.PasswordCount, u.ConnectedClients))
		if !strings.Contains(list, "$"+strconv.Itoa(len(u.Rules))+"\r\n"+u.Rules+"\r\n") {
			t.Errorf("rules %q are not ACL LIST's line:\n%s", u.Rules, list)
		}
	}
	want := []string{
		"app on=true nopass=false passwords=2 clients=1",
		"default on=true nopass=true passwords=0 clients=2",
		"off-user on=false nopass=false passwords=0 clients=0",
	}
	if !slices.Equal(got, want) {
		t.Errorf("ListUsers:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
