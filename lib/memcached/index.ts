export * from "./memcached";
