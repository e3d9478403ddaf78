import { basename } from 'node:path';

let count = 0;
console.log('init: loading index.mjs');

export const handler = async (event, context) => {
  count += 1;
  return { esm: true, count, file: basename(import.meta.url), name: event.name };
};
