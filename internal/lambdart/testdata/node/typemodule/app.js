export async function handler(event) {
  return { typeModule: true, echo: event };
}
