import { Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { MergeRouteConfig, routeConfigEntry } from './route-config.js';

const BODY_GATE = 'tdsBodyGate';

/** Throws (a DomainError) to refuse the request; returns to let its body be parsed. */
export type BodyGate = (request: FastifyRequest, rawBody: Buffer) => void;

/**
 * Checks a route's raw body before it is parsed: a webhook's signature is computed over the
 * bytes, so a forged or unsigned delivery is refused without JSON.parse ever seeing it. The
 * gate is named on the route (@GatedBody) and registered by the module that owns the check;
 * the application's JSON parser (createApp) runs it.
 */
@Injectable()
export class BodyGates {
  private readonly gates = new Map<string, BodyGate>();

  register(name: string, gate: BodyGate): void {
    if (this.gates.has(name)) throw new Error(`Body gate "${name}" is registered twice`);
    this.gates.set(name, gate);
  }

  /** Runs the gate the request's route names, if any. */
  check(request: FastifyRequest, rawBody: Buffer): void {
    const name = routeConfigEntry<string>(request, BODY_GATE);
    if (name === undefined) return;
    const gate = this.gates.get(name);
    // A route naming a gate nobody registered must not fall open.
    if (!gate) throw new Error(`Body gate "${name}" is not registered`);
    gate(request, rawBody);
  }
}

/** The raw body of this route passes `name`'s gate before it is parsed. */
export const GatedBody = (name: string) => MergeRouteConfig({ [BODY_GATE]: name });
