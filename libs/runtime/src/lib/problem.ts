import { HttpException } from '@nestjs/common';

/** One located problem inside a request: a JSON pointer or line in the body, or a parameter. */
export interface ProblemLocation {
  /** RFC 6901 pointer into the request body, e.g. `/runs/0/results/3`. */
  pointer?: string;
  /** A query parameter or header name. */
  parameter?: string;
  line?: number;
  column?: number;
  detail: string;
}

export interface ProblemInit {
  status: number;
  /** Stable machine-readable code, e.g. `unknown-format`; becomes the problem `type`. */
  code: string;
  title: string;
  detail: string;
  errors?: ProblemLocation[];
  /** Extra members (e.g. `format`), never secrets. */
  extensions?: Record<string, unknown>;
  headers?: Record<string, string>;
}

export const PROBLEM_TYPE_BASE = 'https://hum.dev/problems/';

/**
 * An RFC 9457 problem: thrown anywhere in a request, rendered as application/problem+json
 * saying what is wrong and where.
 */
export class ProblemException extends HttpException {
  constructor(readonly problem: ProblemInit) {
    super(problem.detail, problem.status);
  }
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: ProblemLocation[];
  [extension: string]: unknown;
}

export function problemBody(problem: ProblemInit, instance?: string): ProblemBody {
  return {
    ...problem.extensions,
    type: `${PROBLEM_TYPE_BASE}${problem.code}`,
    title: problem.title,
    status: problem.status,
    detail: problem.detail,
    ...(instance !== undefined ? { instance } : {}),
    ...(problem.errors && problem.errors.length > 0 ? { errors: problem.errors } : {}),
  };
}
