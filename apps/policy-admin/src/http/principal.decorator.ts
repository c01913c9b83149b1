import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { HttpRequestLike, PersonPrincipal } from '@hum/auth';
import { ProblemException } from '@hum/runtime';

/** The authenticated person (the access guard has refused everyone else already). */
export const Person = createParamDecorator(
  (_data: unknown, context: ExecutionContext): PersonPrincipal => {
    const principal = context.switchToHttp().getRequest<HttpRequestLike>().principal;
    if (principal?.kind !== 'person') {
      throw new ProblemException({
        status: 401,
        code: 'unauthenticated',
        title: 'Unauthenticated',
        detail: 'no person is logged in',
      });
    }
    return principal;
  },
);
