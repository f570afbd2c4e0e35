import { bodyLimit } from 'hono/body-limit';
import { MAX_BODY_BYTES } from '../../../runbooks/limits';

/** Refuses (413) a body over `maxSize` bytes before it is read whole. */
export const limitBodyTo = (maxSize: number) =>
  bodyLimit({
    maxSize,
    onError: (c) => c.json({ error: `body is larger than ${maxSize} bytes; a request must fit in ${maxSize}` }, 413),
  });

export const limitBody = limitBodyTo(MAX_BODY_BYTES);
