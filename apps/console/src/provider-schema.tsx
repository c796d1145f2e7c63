import { NumberInput, PasswordInput, Select, Stack, Textarea, TextInput } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import type { Schemas } from './api';

/**
 * Each provider's `settings` and credential shapes, named by their OpenAPI components: the fields
 * a form shows come from the broker's own document (/openapi.json), so a field added to a provider
 * appears here without a console change, and a renamed schema fails this file's type check.
 */
type SchemaName = keyof Schemas;
export interface ProviderForms {
  label: string;
  settings: SchemaName;
  credentials: Array<{ kind: string; label: string; schema: SchemaName }>;
}

export const PROVIDERS: Record<string, ProviderForms> = {
  acronis: {
    label: 'Acronis Cyber Protect Cloud',
    settings: 'AcronisSettingsDto',
    credentials: [
      { kind: 'client_credentials', label: 'API client', schema: 'AcronisClientCredentialsDto' },
      { kind: 'bearer_token', label: 'Access token', schema: 'AcronisBearerTokenDto' },
    ],
  },
  flussonic: {
    label: 'Flussonic Watcher',
    settings: 'FlussonicSettingsDto',
    credentials: [{ kind: 'api_key', label: 'API key', schema: 'FlussonicCredentialsDto' }],
  },
};

interface PropertySchema {
  type?: string;
  format?: string;
  enum?: string[];
  items?: { type?: string };
  description?: string;
  minimum?: number;
  maximum?: number;
  default?: unknown;
}
interface ObjectSchema {
  properties?: Record<string, PropertySchema>;
  required?: string[];
}

export function useSchemas() {
  return useQuery({
    queryKey: ['openapi'],
    staleTime: Infinity,
    queryFn: async () => {
      const response = await fetch('/openapi.json', { credentials: 'same-origin' });
      if (!response.ok) throw new Error(`The OpenAPI document could not be read (HTTP ${response.status}).`);
      const document = (await response.json()) as { components: { schemas: Record<string, ObjectSchema> } };
      return document.components.schemas;
    },
  });
}

export type FormValues = Record<string, string>;

/** Form values (strings) to the JSON object the schema describes: lists one per line, integers as numbers. */
export function toObject(schema: ObjectSchema | undefined, values: FormValues): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, property] of Object.entries(schema?.properties ?? {})) {
    const raw = values[name]?.trim() ?? '';
    if (raw === '') continue;
    if (property.type === 'array')
      out[name] = raw
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean);
    else if (property.type === 'integer' || property.type === 'number') out[name] = Number(raw);
    else out[name] = raw;
  }
  return out;
}

/** The object's current values as form strings (settings are readable; credentials never are). */
export function toValues(value: Record<string, unknown> | undefined): FormValues {
  const out: FormValues = {};
  for (const [name, v] of Object.entries(value ?? {}))
    out[name] = Array.isArray(v) ? v.join('\n') : typeof v === 'string' || typeof v === 'number' ? String(v) : '';
  return out;
}

/** One input per property of the schema; `prefix` is the body field (settings, credentials) for error matching. */
export function SchemaFields({
  schema,
  values,
  onChange,
  errors,
  prefix,
}: {
  schema: ObjectSchema | undefined;
  values: FormValues;
  onChange: (values: FormValues) => void;
  errors: Record<string, string>;
  prefix: string;
}) {
  if (schema === undefined) return null;
  const required = new Set(schema.required ?? []);
  return (
    <Stack gap="xs">
      {Object.entries(schema.properties ?? {}).map(([name, property]) => {
        const common = {
          label: name.replace(/_/g, ' '),
          description: property.description,
          required: required.has(name),
          error:
            errors[`${prefix}.${name}`] ??
            (name === Object.keys(schema.properties ?? {})[0] ? errors[prefix] : undefined),
        };
        const set = (value: string) => onChange({ ...values, [name]: value });
        const value = values[name] ?? '';
        if (property.enum)
          return (
            <Select
              key={name}
              {...common}
              data={property.enum}
              value={value || null}
              placeholder={typeof property.default === 'string' ? `default: ${property.default}` : undefined}
              onChange={(v) => set(v ?? '')}
              clearable={!common.required}
            />
          );
        if (property.type === 'array')
          return (
            <Textarea
              key={name}
              {...common}
              description={`${property.description ?? ''} One per line.`}
              autosize
              minRows={2}
              value={value}
              onChange={(e) => set(e.currentTarget.value)}
            />
          );
        if (property.type === 'integer' || property.type === 'number')
          return (
            <NumberInput
              key={name}
              {...common}
              min={property.minimum}
              max={property.maximum}
              value={value}
              onChange={(v) => set(String(v))}
            />
          );
        if (property.format === 'password')
          return (
            <PasswordInput
              key={name}
              {...common}
              value={value}
              autoComplete="off"
              onChange={(e) => set(e.currentTarget.value)}
            />
          );
        return <TextInput key={name} {...common} value={value} onChange={(e) => set(e.currentTarget.value)} />;
      })}
    </Stack>
  );
}
