/** What the route modules share. */
import type { FastifyRequest } from 'fastify';
import { v4 as uuidv4 } from 'uuid';
import { callerUserId } from './api-auth';
import type { Actor } from './change-event';
import { notFound } from './envelope';
import type { EntityOperations } from './entity-operations';
import type { StateStore } from './state-store';
import type { WebhookDispatcher } from './webhook-dispatcher';

export interface SimulatorContext {
  store: StateStore;
  ops: EntityOperations;
  dispatcher: WebhookDispatcher;
}

/** REST writes are changes "made through the API" by the token's owner. */
export function apiActor(request: FastifyRequest): Actor {
  return { userId: callerUserId(request), source: 'api', correlationId: uuidv4() };
}

export function idParam(request: FastifyRequest, what: string): number {
  const raw = (request.params as Record<string, string | undefined>).id;
  const id = Number(raw);
  if (!Number.isInteger(id) || id < 1) throw notFound(what);
  return id;
}

export function queryOf(request: FastifyRequest): Record<string, unknown> {
  return (request.query ?? {}) as Record<string, unknown>;
}

export function bodyOf(request: FastifyRequest): Record<string, unknown> {
  const body = request.body;
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}
