/** The account-wide limit on concurrent in-flight requests (NetSuite shares one pool across REST, SOAP and RESTlets). */
export class ConcurrencyGate {
  inFlight = 0;
  peak = 0;

  constructor(readonly limit: number) {}

  tryAcquire(): boolean {
    if (this.inFlight >= this.limit) return false;
    this.inFlight += 1;
    this.peak = Math.max(this.peak, this.inFlight);
    return true;
  }

  release(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
  }

  resetPeak(): void {
    this.peak = this.inFlight;
  }
}
