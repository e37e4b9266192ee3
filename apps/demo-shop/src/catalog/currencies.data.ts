/**
 * Units of each currency per euro, as the demo's currency service keeps them
 * (a fixed table: conversion is the service's whole job, not its accuracy).
 */
export const EUR_RATES: Readonly<Record<string, number>> = {
  EUR: 1,
  USD: 1.1305,
  JPY: 126.4,
  GBP: 0.8597,
  CAD: 1.5128,
  CHF: 1.136,
  AUD: 1.6148,
  SEK: 10.5548,
};

export const CURRENCY_CODES: readonly string[] = Object.keys(EUR_RATES);

/** `amount` in `from` expressed in `to`, rounded to cents; null for an unknown currency. */
export function convert(amount: number, from: string, to: string): number | null {
  const fromRate = EUR_RATES[from];
  const toRate = EUR_RATES[to];
  if (fromRate === undefined || toRate === undefined) return null;
  return Math.round((amount / fromRate) * toRate * 100) / 100;
}
