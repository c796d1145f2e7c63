import { normalizeHttpUrl } from '../http-url';
import { invalidInput, parseOrThrow } from '../parse-or-throw';
import { AcronisSettings, AcronisSettingsDto } from './dto/acronis-settings.dto';

export function parseAcronisSettings(raw: unknown): AcronisSettings {
  const dto = parseOrThrow(AcronisSettingsDto, raw, 'settings');
  const allowed = (dto.allowed_target_uris ?? []).map((uri) => normalizeHttpUrl(uri) as string);
  const settings: AcronisSettings = { allowed_target_uris: [...new Set(allowed)] };
  if (dto.default_target_uri !== undefined) {
    const fallback = normalizeHttpUrl(dto.default_target_uri) as string;
    if (!allowed.includes(fallback)) {
      throw invalidInput('settings', [
        { field: 'settings.default_target_uri', message: 'default_target_uri must be one of allowed_target_uris' },
      ]);
    }
    settings.default_target_uri = fallback;
  }
  return settings;
}
