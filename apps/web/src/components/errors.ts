/** The message to show for a failed tRPC call: the server's own words, or the first field problem. */
export function errorMessage(error: unknown): string | null {
  if (!error) return null;
  const e = error as { message?: string; data?: { fields?: { path: string; message: string }[] } };
  const field = e.data?.fields?.[0];
  if (field) return field.message;
  return e.message ?? "Something went wrong.";
}
