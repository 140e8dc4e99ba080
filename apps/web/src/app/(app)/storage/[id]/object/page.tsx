"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useParams, useSearchParams } from "next/navigation";
import { errorMessage } from "~/components/errors";
import { formatBytes, formatDate } from "~/components/format";
import { useTRPC } from "~/trpc/react";

export default function ObjectPage() {
  const { id } = useParams<{ id: string }>();
  const params = useSearchParams();
  const bucket = params.get("bucket") ?? "";
  const key = params.get("key") ?? "";
  const trpc = useTRPC();
  const object = useQuery(trpc.storage.object.queryOptions({ id, bucket, key }, { retry: false }));
  const folder = key.includes("/") ? key.slice(0, key.lastIndexOf("/") + 1) : "";
  const o = object.data;
  return (
    <>
      <div className="page-head">
        <div>
          <div className="muted">
            <Link href={`/storage/${id}/browse?bucket=${encodeURIComponent(bucket)}&prefix=${encodeURIComponent(folder)}`}>{bucket}/{folder}</Link>
          </div>
          <h1 style={{ wordBreak: "break-all" }}>{key.slice(folder.length) || key}</h1>
        </div>
        {o && <a className="button" href={`/api/storage/download?account=${encodeURIComponent(id)}&bucket=${encodeURIComponent(bucket)}&key=${encodeURIComponent(key)}`} download>Download</a>}
      </div>
      {object.error && <div className="error" role="alert">{errorMessage(object.error)}</div>}
      {o && (
        <section className="card">
          <table>
            <tbody>
              <tr><th>Key</th><td><code>{o.key}</code></td></tr>
              <tr><th>Size</th><td>{formatBytes(o.size)} ({o.size.toLocaleString("en-US")} bytes)</td></tr>
              <tr><th>Last modified</th><td>{o.lastModified ? formatDate(o.lastModified) : "unknown"}</td></tr>
              <tr><th>Content type</th><td>{o.contentType ?? "unknown"}</td></tr>
              <tr><th>ETag / version</th><td><code>{o.etag ?? "none"}</code>{o.version ? <> / <code>{o.version}</code></> : null}</td></tr>
              <tr><th>MD5</th><td><code>{o.hashes.md5 ?? "not given by the provider"}</code></td></tr>
              <tr><th>CRC32C</th><td><code>{o.hashes.crc32c ?? "not given by the provider"}</code></td></tr>
              <tr>
                <th>User metadata</th>
                <td>{Object.keys(o.userMetadata).length === 0 ? <span className="muted">none</span> : Object.entries(o.userMetadata).map(([k, v]) => <div key={k}><code>{k}</code>: {v}</div>)}</td>
              </tr>
            </tbody>
          </table>
        </section>
      )}
    </>
  );
}
