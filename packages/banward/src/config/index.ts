export { readFilter, FILTER_OPTION_NAMES } from './filter-reader.js';
export type { FilterDefinition, ReadFilterContext } from './filter-reader.js';
export { FALSE_WORDS, TRUE_WORDS, USEDNS_WORDS, isUseDns, parseBooleanWord } from './fail2ban-words.js';
export type { UseDns } from './fail2ban-words.js';
export { combineDefinition, toRawOption } from './definition-reader.js';
export type { DefinitionRequest, OptionInput, SourcedValue } from './definition-reader.js';
export {
  loadConfigStack,
  loadConfigFiles,
  stackFileNames,
  sectionNames,
  INCLUDES_SECTION,
} from './config-stack.js';
export type { ConfigStack } from './config-stack.js';
export { getOption, getOptionEx, interpolate, ownOptionNames, KNOWN_PREFIX } from './interpolation.js';
export type { ConfigStore, Vars } from './interpolation.js';
export { parseIni, DEFAULT_SECTION } from './ini-file.js';
export type { IniFile, OptionMap, RawOption } from './ini-file.js';
export { substituteTags, MAX_TAG_REPLACE_COUNT } from './tag-substitution.js';
export type { TagOptions } from './tag-substitution.js';
export { parseInlineOptions, splitInlineEntries } from './inline-options.js';
export type { InlineOptions } from './inline-options.js';
export { splitShellWords } from './shell-words.js';
export { TracedText } from './traced-text.js';
export { parseTimeValue, timeExpression } from './time-value.js';
export { compileExpression, evaluateConstant, EXPRESSION_FUNCTIONS } from './safe-expression.js';
export type { CompileOptions, CompiledExpression } from './safe-expression.js';
export type { Origin } from './traced-text.js';
export { nodeConfigFs, memoryConfigFs } from './config-fs.js';
export type { ConfigFs } from './config-fs.js';
