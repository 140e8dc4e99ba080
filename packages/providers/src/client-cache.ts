// SDK client objects per bucket/container, built once: constructing one assembles a request pipeline (Azure) or
// ACL/IAM helpers (GCS), which cost ~0.1 ms a request when done per call.

export class ClientCache<T> {
  private readonly clients = new Map<string, T>();

  /** `bound`: a store sees a handful of buckets; the bound only guards against a caller iterating thousands. */
  constructor(
    private readonly create: (name: string) => T,
    private readonly bound = 64,
  ) {}

  get(name: string): T {
    let client = this.clients.get(name);
    if (!client) {
      client = this.create(name);
      if (this.clients.size >= this.bound) this.clients.clear();
      this.clients.set(name, client);
    }
    return client;
  }
}
