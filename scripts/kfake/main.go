// A Kafka-compatible broker for the end-to-end tier: franz-go's in-memory kfake (BSD-3) listening
// on one address of the pod it stands in, with the topics the output's topic Job would make.
// Apache Kafka itself is a JVM program the tier cannot fetch; clients see the same protocol.
package main

import (
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"github.com/twmb/franz-go/pkg/kfake"
)

type topicList []string

func (t *topicList) String() string     { return strings.Join(*t, ",") }
func (t *topicList) Set(v string) error { *t = append(*t, v); return nil }

func main() {
	host := flag.String("host", "127.0.0.1", "address to listen on and to advertise to clients")
	port := flag.Int("port", 9092, "port to listen on")
	autoCreate := flag.Bool("auto-create", false, "let a client's metadata request create a missing topic")
	var topics topicList
	flag.Var(&topics, "topic", "a topic to create at start, NAME:PARTITIONS (repeatable)")
	flag.Parse()

	// kfake listens on 127.0.0.1 and advertises what it listens on: listen on the pod's address instead.
	listen := func(network, _ string) (net.Listener, error) {
		return net.Listen(network, net.JoinHostPort(*host, strconv.Itoa(*port)))
	}
	opts := []kfake.Opt{kfake.Ports(*port), kfake.ListenFn(listen)}
	if *autoCreate {
		opts = append(opts, kfake.AllowAutoTopicCreation())
	}
	for _, t := range topics {
		name, count, ok := strings.Cut(t, ":")
		partitions, err := strconv.Atoi(count)
		if !ok || err != nil || partitions < 1 {
			fmt.Fprintf(os.Stderr, "kfake: topic %q is not NAME:PARTITIONS\n", t)
			os.Exit(2)
		}
		opts = append(opts, kfake.SeedTopics(int32(partitions), name))
	}
	cluster, err := kfake.NewCluster(opts...)
	if err != nil {
		fmt.Fprintln(os.Stderr, "kfake:", err)
		os.Exit(1)
	}
	fmt.Println("kfake listening on", strings.Join(cluster.ListenAddrs(), ","))
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	<-stop
	cluster.Close()
}
