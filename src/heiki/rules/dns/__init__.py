"""DNS rules: private endpoint zones, links, forwarders, proxies and resolvers."""
