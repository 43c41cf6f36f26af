import { applyDecorators, Controller } from '@nestjs/common';
import { ApiBearerAuth, ApiResponse, ApiTags } from '@nestjs/swagger';

/** Where every BFF route lives; the conditional GET hook covers exactly these. */
export const BFF_PREFIX = '/api/bff/tds';

/**
 * A BFF controller: under the prefix, in the Swagger tag, with the API key scheme unless its
 * routes are public (the document then says no key is needed, as the route does).
 */
export const BffController = ({ public: open = false }: { public?: boolean } = {}) =>
  applyDecorators(Controller(BFF_PREFIX.slice(1)), ApiTags('bff'), ...(open ? [] : [ApiBearerAuth()]));

/** What every GET of the BFF may answer beside its 200. */
export const BffReadResponses = () =>
  applyDecorators(
    ApiResponse({ status: 304, description: 'If-None-Match held the current ETag: no body' }),
    ApiResponse({ status: 401, description: 'AUTH.MISSING_API_KEY or AUTH.INVALID_API_KEY' }),
  );

/** What every action of the BFF may answer beside its success. */
export const BffActionResponses = () =>
  applyDecorators(
    ApiResponse({ status: 401, description: 'AUTH.MISSING_API_KEY or AUTH.INVALID_API_KEY' }),
    ApiResponse({ status: 403, description: 'AUTH.INSUFFICIENT_ROLE: operator or higher is needed' }),
  );
