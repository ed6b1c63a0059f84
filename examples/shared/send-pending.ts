/**
 * Sends what the customer did under their own token before the device forgets them: `identify('logged-out')` drops
 * the touchpoints still queued. A slow network is waited for at most `withinMs`, so logging out never hangs.
 */
export async function sendPendingTouchpoints(client: { flush(): Promise<void> }, withinMs = 1500): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([client.flush(), new Promise<void>((resolve) => (timer = setTimeout(resolve, withinMs)))]);
  clearTimeout(timer);
}
