import { type Clock } from '../clock';

export class FakeClock implements Clock {
  constructor(private current: number = Date.parse('2025-01-31T12:00:00.000Z')) {}

  now(): number {
    return this.current;
  }

  advance(ms: number): void {
    this.current += ms;
  }
}
