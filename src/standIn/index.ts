/** Local stand-in for Slack (Web API + response URLs) and a driver that talks to the bot as Slack does. */
export * from './server.ts';
export * from './driver.ts';
export * from './signing.ts';
export * from './exampleDirectory.ts';
export {
  allElements,
  buildStateValues,
  elementsOf,
  optionsOf,
  validateBlocks,
  withGeneratedIds,
  type BlockElement,
  type ElementState,
  type FoundElement,
  type SlackOption,
  type Surface,
} from './blocks.ts';
