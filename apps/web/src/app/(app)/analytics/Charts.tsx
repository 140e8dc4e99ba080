"use client";
import { Area, AreaChart, Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatBytes, providerLabel } from "~/components/format";

export const PROVIDER_COLORS: Record<string, string> = { s3: "#f59e0b", azure: "#2563eb", gcs: "#16a34a", local: "#6b7280" };
const PROVIDERS = ["s3", "azure", "gcs", "local"] as const;

type Row = { day: string } & Record<string, number | string>;

const tickDay = (d: string) => d.slice(5);

/** Bytes moved per day, stacked by the provider they left. */
export function MovedChart({ data }: { data: Row[] }) {
  return (
    <div style={{ width: "100%", height: 260 }} data-testid="moved-chart">
      <ResponsiveContainer>
        <BarChart data={data} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e5e7eb" />
          <XAxis dataKey="day" tickFormatter={tickDay} tick={{ fontSize: 11 }} minTickGap={12} />
          <YAxis tick={{ fontSize: 11 }} tickFormatter={(v: number) => formatBytes(v)} width={72} />
          <Tooltip formatter={(v, name) => [formatBytes(Number(v)), `from ${providerLabel[String(name)] ?? name}`]} />
          <Legend formatter={(name) => `from ${providerLabel[String(name)] ?? name}`} />
          {PROVIDERS.map((p) => (
            <Bar key={p} dataKey={p} stackId="moved" fill={PROVIDER_COLORS[p]} isAnimationActive={false} />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}

/** Stored bytes per cloud at the end of each day (newest inventory of each bucket). */
export function StoredChart({ data }: { data: Row[] }) {
  return (
    <div style={{ width: "100%", height: 240 }} data-testid="stored-chart">
      <ResponsiveContainer>
        <AreaChart data={data} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e5e7eb" />
          <XAxis dataKey="day" tickFormatter={tickDay} tick={{ fontSize: 11 }} minTickGap={12} />
          <YAxis tick={{ fontSize: 11 }} tickFormatter={(v: number) => formatBytes(v)} width={72} />
          <Tooltip formatter={(v, name) => [formatBytes(Number(v)), providerLabel[String(name)] ?? name]} />
          <Legend formatter={(name) => providerLabel[String(name)] ?? name} />
          {PROVIDERS.map((p) => (
            <Area key={p} type="stepAfter" dataKey={p} stackId="stored" stroke={PROVIDER_COLORS[p]} fill={PROVIDER_COLORS[p]} fillOpacity={0.35} dot={{ r: 3, fillOpacity: 1 }} connectNulls isAnimationActive={false} />
          ))}
        </AreaChart>
      </ResponsiveContainer>
    </div>
  );
}
