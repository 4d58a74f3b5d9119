// The persona system: loading personas and project guidelines, rendering personas, and modes.
export * from './types';
export {
  loadPersonaCatalog,
  loadPersonaFile,
  findPersona,
  workspacePersonaFolders,
  MAX_REFERENCE_BYTES,
  MAX_REFERENCES_TOTAL_BYTES,
  type LoadPersonaCatalogOptions,
} from './loader';
export { renderPersona, personaRenderContext, templateVariables } from './render';
export { renderTemplate, hasTemplateSyntax, type TemplateResult } from './template';
export { detectModeRequest, personaForMode } from './modeRequest';
export { MODE_LABELS, modeName, modeRubric, modeRubricAfter, parseModeArgument } from './modes';
export { loadGuidelines, guidelinesFor, guidelinePaths, type LoadedGuideline } from './guidelines';
export { bundledSkillsDir } from './bundled';
export { decodeText, repairMojibake, looksBinary, type DecodedText, type MojibakeRepair } from './encoding';
export { readTextFile, MAX_FILE_BYTES } from './readText';
export { slugify } from './parse';
export { languageFromPath } from '../language';
