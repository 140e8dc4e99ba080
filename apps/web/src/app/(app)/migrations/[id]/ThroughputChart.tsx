"use client";
import { Area, AreaChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatBytes } from "~/components/format";

export interface Sample {
  at: number;
  bytesPerSec: number;
  objectsPerSec: number;
}

/** Throughput as this page saw it, one sample per refresh. */
export function ThroughputChart({ samples }: { samples: Sample[] }) {
  const start = samples[0]?.at ?? 0;
  const data = samples.map((s) => ({ t: Math.round((s.at - start) / 1000), bytes: s.bytesPerSec, objects: s.objectsPerSec }));
  return (
    <div style={{ width: "100%", height: 200 }} data-testid="throughput-chart">
      <ResponsiveContainer>
        <AreaChart data={data} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e5e7eb" />
          <XAxis dataKey="t" unit=" s" tick={{ fontSize: 11 }} />
          <YAxis tick={{ fontSize: 11 }} tickFormatter={(v: number) => `${formatBytes(v)}/s`} width={84} />
          <Tooltip formatter={(v) => [`${formatBytes(Number(v))}/s`, "throughput"]} labelFormatter={(t) => `${t} s`} />
          <Area type="monotone" dataKey="bytes" stroke="#0f766e" fill="#99f6e4" isAnimationActive={false} />
        </AreaChart>
      </ResponsiveContainer>
    </div>
  );
}
