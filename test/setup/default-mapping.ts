/**
 * Every test process works with the default mapping template (mapping/default.yaml), as `npm start` does without
 * MAPPING_FILE; a test about another template passes it explicitly.
 */
import { installMapping } from '../../domain/mapping/active-mapping';
import { DEFAULT_MAPPING_FILE, loadMappingFile } from '../../runtime/mapping-loader';

installMapping(loadMappingFile(DEFAULT_MAPPING_FILE));
