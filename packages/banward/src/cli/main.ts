export async function main(argv: string[]): Promise<number> {
  process.stdout.write(`banward: ${argv.join(' ')}\n`);
  return 0;
}
