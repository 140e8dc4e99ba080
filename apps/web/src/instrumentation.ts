// Runs once when the server starts: a test clock configured in production stops the server here, not at
// the first enclave request.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { clock } = await import("@crossdock/enclaves/clock");
  clock();
}
