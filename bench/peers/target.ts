/** A server the cases run against, as the load generators see it: where to send a GET or a PUT. */
export interface RequestSpec {
  /** Absolute URL, query (a presigned signature) included. */
  url: string
  /** Headers to send with it (credentials, when the server takes them in a header). */
  headers: Record<string, string>
}

export interface Target {
  /** As the tables show it: `nginx`, `Coffer/fs`, `Ceph RGW`, … */
  name: string
  /** How to GET the object at `key`. */
  get(key: string): Promise<RequestSpec>
  /** How to PUT a body to `key`. */
  put(key: string): Promise<RequestSpec>
  /** Answers every GET from memory, with nothing to preload, and takes no PUT (P3's ceiling). */
  getsOnly?: true
}

/** A started peer: a target, and how to stop it (and remove its data). */
export interface Peer extends Target {
  /** The server process, when it is one process (for its peak RSS and CPU profile). */
  pid?: number
  stop(): Promise<void>
}
