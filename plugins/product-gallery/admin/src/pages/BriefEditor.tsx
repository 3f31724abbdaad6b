import { useEffect, useMemo, useState } from 'react';
import {
  Badge,
  Box,
  Button,
  Field,
  Flex,
  Grid,
  IconButton,
  Loader,
  SingleSelect,
  SingleSelectOption,
  Textarea,
  TextInput,
  Toggle,
  Typography,
} from '@strapi/design-system';
import { ArrowLeft, ArrowUp, Cross, Plus } from '@strapi/icons';
import { Layouts, Page, useDebounce, useNotification } from '@strapi/strapi/admin';
import { Link, useParams } from 'react-router-dom';
import { stripSpec, useBrief, useProducts, usePromptPreview, useUpdateBrief, type Brief, type RoleSpec, type SlotRule } from '../api';
import { serverMessage } from '../utils/errors';
import { fieldProblems, useFocusFirstError } from '../utils/field-errors';
import { useCan } from '../utils/permissions';
import { useT } from '../utils/translations';
import { paths } from '../utils/urls';
import { GENERATORS, ROLES, SLOTS, type Category, type Role } from '../utils/vocabulary';
import { CategoryChecks } from './Briefs';

type Draft = Pick<Brief, 'name' | 'categories' | 'roles' | 'slotPlan'>;

const toDraft = (b: Brief): Draft => ({
  name: b.name,
  categories: b.categories ?? [],
  roles: (b.roles ?? []).map((r) => ({ ...r })),
  slotPlan: (b.slotPlan ?? []).map((s) => ({ slot: s.slot, roles: [...(s.roles ?? [])] })),
});

const TEXT_FIELDS = ['promptTemplate', 'negativePrompt', 'scene', 'style'] as const;

/** The fields a role card shows; a problem with any other field of the role is shown on the card. */
const ROLE_CARD_FIELDS = ['required', 'aspectRatio', 'minLongEdge', 'generator', 'model', ...TEXT_FIELDS, 'allowScenePreviews'];

/**
 * Problems by where the editor sees them: `name`, `categories`, `roles.<role>.<field>`,
 * `roles.<role>` (the card), `slotPlan`. The server counts roles by position in what was sent;
 * the editor keys them by role, so a removed role can't shift a message onto its neighbour.
 */
type Problems = Record<string, string>;

const placeProblems = (sent: Draft, problems: { path: string[]; message: string }[]): Problems => {
  const placed: Problems = {};
  const add = (key: string, message: string) => {
    placed[key] = placed[key] ? `${placed[key]}; ${message}` : message;
  };
  for (const { path, message } of problems) {
    const [top, index, field] = path;
    const role = top === 'roles' && index !== undefined ? sent.roles[Number(index)]?.role : undefined;
    if (role) add(field && ROLE_CARD_FIELDS.includes(field) ? `roles.${role}.${field}` : `roles.${role}`, message);
    else if (top === 'name' || top === 'categories' || top === 'slotPlan') add(top, message);
    else add('', message);
  }
  return placed;
};

const withoutKeys = (problems: Problems, keys: string[]) =>
  keys.some((k) => k in problems) ? Object.fromEntries(Object.entries(problems).filter(([k]) => !keys.includes(k))) : problems;

/** A problem shown on a card or box rather than on one input; the first-error focus finds it too. */
const ProblemText = ({ message }: { message?: string }) =>
  message ? (
    <Typography variant="pi" textColor="danger600" data-field-error tabIndex={-1}>
      {message}
    </Typography>
  ) : null;

const YesNo = ({ checked, disabled, onChange }: { checked: boolean; disabled: boolean; onChange: (checked: boolean) => void }) => {
  const t = useT();
  return (
    <Toggle
      checked={checked}
      disabled={disabled}
      onLabel={t('briefs.yes', 'Yes')}
      offLabel={t('briefs.no', 'No')}
      onChange={(e: React.ChangeEvent<HTMLInputElement>) => onChange(e.target.checked)}
    />
  );
};

const RoleSpecEditor = ({
  spec,
  readOnly,
  problems,
  onChange,
  onRemove,
}: {
  spec: RoleSpec;
  readOnly: boolean;
  problems: Problems;
  onChange: (patch: Partial<RoleSpec>) => void;
  onRemove: () => void;
}) => {
  const t = useT();
  const problem = (field: string) => problems[`roles.${spec.role}.${field}`];
  return (
    <Box background="neutral0" hasRadius shadow="tableShadow" padding={4} data-role-spec={spec.role}>
      <Flex direction="column" alignItems="stretch" gap={3}>
        <Flex justifyContent="space-between">
          <Typography variant="delta" tag="h3">
            {t(`role.${spec.role}`, spec.role)}
          </Typography>
          {!readOnly ? (
            <IconButton label={t('briefs.removeRole', 'Remove this role')} variant="ghost" onClick={onRemove}>
              <Cross />
            </IconButton>
          ) : null}
        </Flex>
        <ProblemText message={problems[`roles.${spec.role}`]} />
        <Grid.Root gap={3}>
          <Grid.Item col={3} s={6} direction="column" alignItems="stretch">
            <Field.Root name={`${spec.role}.required`} error={problem('required')}>
              <Field.Label>{t('briefs.field.required', 'Required')}</Field.Label>
              <YesNo checked={Boolean(spec.required)} disabled={readOnly} onChange={(required) => onChange({ required })} />
              <Field.Error />
            </Field.Root>
          </Grid.Item>
          <Grid.Item col={3} s={6} direction="column" alignItems="stretch">
            <Field.Root name={`${spec.role}.aspectRatio`} hint={t('briefs.field.aspectHint', 'e.g. 1:1, 4:5, 2:3')} error={problem('aspectRatio')}>
              <Field.Label>{t('briefs.field.aspectRatio', 'Aspect ratio')}</Field.Label>
              <TextInput
                value={spec.aspectRatio ?? ''}
                disabled={readOnly}
                onChange={(e: React.ChangeEvent<HTMLInputElement>) => onChange({ aspectRatio: e.target.value })}
              />
              <Field.Hint />
              <Field.Error />
            </Field.Root>
          </Grid.Item>
          <Grid.Item col={3} s={6} direction="column" alignItems="stretch">
            <Field.Root name={`${spec.role}.minLongEdge`} error={problem('minLongEdge')}>
              <Field.Label>{t('briefs.field.minLongEdge', 'Min. long edge (px)')}</Field.Label>
              <TextInput
                type="number"
                value={spec.minLongEdge ?? ''}
                disabled={readOnly}
                onChange={(e: React.ChangeEvent<HTMLInputElement>) =>
                  onChange({ minLongEdge: e.target.value === '' ? (undefined as unknown as number) : Number(e.target.value) })
                }
              />
              <Field.Error />
            </Field.Root>
          </Grid.Item>
          <Grid.Item col={3} s={6} direction="column" alignItems="stretch">
            <Field.Root name={`${spec.role}.generator`} error={problem('generator')}>
              <Field.Label>{t('briefs.field.generator', 'Generator')}</Field.Label>
              <SingleSelect
                value={spec.generator ?? 'local'}
                disabled={readOnly}
                onChange={(v) => onChange({ generator: v as RoleSpec['generator'] })}
              >
                {GENERATORS.map((g) => (
                  <SingleSelectOption key={g} value={g}>
                    {t(`generator.${g}`, g)}
                  </SingleSelectOption>
                ))}
              </SingleSelect>
              <Field.Error />
            </Field.Root>
          </Grid.Item>
          <Grid.Item col={12} direction="column" alignItems="stretch">
            <Field.Root name={`${spec.role}.model`} hint={t('briefs.field.modelHint', 'Replicate model, owner/name')} error={problem('model')}>
              <Field.Label>{t('briefs.field.model', 'Model')}</Field.Label>
              <TextInput
                value={spec.model ?? ''}
                disabled={readOnly}
                onChange={(e: React.ChangeEvent<HTMLInputElement>) => onChange({ model: e.target.value })}
              />
              <Field.Hint />
              <Field.Error />
            </Field.Root>
          </Grid.Item>
          {TEXT_FIELDS.map((f) => (
            <Grid.Item key={f} col={f === 'promptTemplate' ? 12 : 6} s={12} direction="column" alignItems="stretch">
              <Field.Root
                name={`${spec.role}.${f}`}
                error={problem(f)}
                hint={
                  f === 'promptTemplate'
                    ? t('briefs.field.placeholders', 'Placeholders: {list}', {
                        list: '{{title}} {{category}} {{metal}} {{stones}} {{dimensions}} {{sku}} {{description}}',
                      })
                    : undefined
                }
              >
                <Field.Label>{t(`briefs.field.${f}`, f)}</Field.Label>
                <Textarea
                  value={(spec[f] as string | null | undefined) ?? ''}
                  disabled={readOnly}
                  onChange={(e: React.ChangeEvent<HTMLTextAreaElement>) => onChange({ [f]: e.target.value })}
                />
                <Field.Hint />
                <Field.Error />
              </Field.Root>
            </Grid.Item>
          ))}
          <Grid.Item col={12} direction="column" alignItems="stretch">
            <Field.Root
              name={`${spec.role}.allowScenePreviews`}
              error={problem('allowScenePreviews')}
              hint={t(
                'briefs.field.allowScenePreviewsHint',
                'A scene preview is the hand, neckline or tabletop the app draws itself, with the product laid on it: it shows scale but is not a photograph. Off: a preview does not fill this shot’s slot or make the gallery ready. On: a published preview counts like any other shot. A composite on your own scene photo always counts.'
              )}
            >
              <Field.Label>{t('briefs.field.allowScenePreviews', 'Count drawn scene previews toward a ready gallery')}</Field.Label>
              <Box maxWidth="240px">
                <YesNo
                  checked={Boolean(spec.allowScenePreviews)}
                  disabled={readOnly}
                  onChange={(allowScenePreviews) => onChange({ allowScenePreviews })}
                />
              </Box>
              <Field.Hint />
              <Field.Error />
            </Field.Root>
          </Grid.Item>
        </Grid.Root>
      </Flex>
    </Box>
  );
};

const SlotPlanEditor = ({
  plan,
  readOnly,
  problem,
  onChange,
}: {
  plan: SlotRule[];
  readOnly: boolean;
  problem?: string;
  onChange: (plan: SlotRule[]) => void;
}) => {
  const t = useT();
  const bySlot = new Map(plan.map((s) => [s.slot, s]));
  const setRoles = (slot: SlotRule['slot'], roles: Role[]) => {
    const next = SLOTS.map((s) => (s === slot ? { slot, roles } : bySlot.get(s))).filter(
      (s): s is SlotRule => Boolean(s && s.roles.length)
    );
    onChange(next);
  };
  return (
    <Box background="neutral0" hasRadius shadow="tableShadow" padding={4} data-testid="slot-plan">
      <Flex direction="column" alignItems="stretch" gap={3}>
        <Typography variant="delta" tag="h2">
          {t('briefs.slotPlan', 'Slot plan')}
        </Typography>
        <Typography variant="pi" textColor="neutral600">
          {t('briefs.slotPlanHelp', 'For each page slot, the roles that fill it, in fallback order: the first one published wins.')}
        </Typography>
        <ProblemText message={problem} />
        {SLOTS.map((slot) => {
          const roles = bySlot.get(slot)?.roles ?? [];
          const free = ROLES.filter((r) => !roles.includes(r));
          return (
            <Flex key={slot} gap={3} wrap="wrap" data-slot-rule={slot}>
              <Box minWidth="110px">
                <Typography fontWeight="semiBold">{t(`slot.${slot}`, slot)}</Typography>
              </Box>
              {roles.length ? null : (
                <Typography variant="pi" textColor="neutral500">
                  {t('briefs.slotUnused', 'not used')}
                </Typography>
              )}
              {roles.map((r, i) => (
                <Flex key={r} gap={1} background="neutral100" hasRadius paddingLeft={2} paddingRight={1}>
                  <Typography variant="pi">
                    {i + 1}. {t(`role.${r}`, r)}
                  </Typography>
                  {!readOnly && i > 0 ? (
                    <IconButton
                      size="XS"
                      variant="ghost"
                      label={t('briefs.moveUp', 'Move up')}
                      onClick={() => {
                        const next = [...roles];
                        [next[i - 1], next[i]] = [next[i], next[i - 1]];
                        setRoles(slot, next);
                      }}
                    >
                      <ArrowUp />
                    </IconButton>
                  ) : null}
                  {!readOnly ? (
                    <IconButton
                      size="XS"
                      variant="ghost"
                      label={t('briefs.removeFromSlot', 'Remove')}
                      onClick={() => setRoles(slot, roles.filter((x) => x !== r))}
                    >
                      <Cross />
                    </IconButton>
                  ) : null}
                </Flex>
              ))}
              {!readOnly && free.length ? (
                <Box minWidth="150px">
                  <SingleSelect
                    size="S"
                    aria-label={t('briefs.addRoleToSlot', 'Add a role')}
                    placeholder={t('briefs.addRoleToSlot', 'Add a role')}
                    value=""
                    onChange={(v) => setRoles(slot, [...roles, v as Role])}
                  >
                    {free.map((r) => (
                      <SingleSelectOption key={r} value={r}>
                        {t(`role.${r}`, r)}
                      </SingleSelectOption>
                    ))}
                  </SingleSelect>
                </Box>
              ) : null}
            </Flex>
          );
        })}
      </Flex>
    </Box>
  );
};

const PromptPreview = ({ briefId, draft }: { briefId: string; draft: Draft }) => {
  const t = useT();
  const products = useProducts({ pageSize: 100 });
  const list = useMemo(() => {
    const all = products.data?.products ?? [];
    const cats = draft.categories ?? [];
    return [...all].sort((a, b) => Number(cats.includes(b.category as Category)) - Number(cats.includes(a.category as Category)));
  }, [products.data, draft.categories]);
  const [product, setProduct] = useState<string | undefined>();
  useEffect(() => {
    if (!product && list[0]) setProduct(list[0].documentId);
  }, [list, product]);
  const roles = useDebounce(draft.roles, 400);
  const preview = usePromptPreview(briefId, product, roles);
  return (
    <Box background="neutral0" hasRadius shadow="tableShadow" padding={4} data-testid="prompt-preview">
      <Flex direction="column" alignItems="stretch" gap={3}>
        <Flex justifyContent="space-between" gap={2}>
          <Typography variant="delta" tag="h2">
            {t('briefs.preview', 'Live prompt preview')}
          </Typography>
          {preview.isFetching ? <Loader small>{t('loading', 'Loading…')}</Loader> : null}
        </Flex>
        <SingleSelect
          aria-label={t('briefs.previewProduct', 'Product')}
          placeholder={t('briefs.previewProduct', 'Product')}
          value={product ?? ''}
          onChange={(v) => setProduct(String(v))}
        >
          {list.map((p) => (
            <SingleSelectOption key={p.documentId} value={p.documentId}>
              {p.title} ({p.category})
            </SingleSelectOption>
          ))}
        </SingleSelect>
        {!list.length && !products.isLoading ? (
          <Typography variant="pi" textColor="neutral600">
            {t('briefs.previewNoProducts', 'Create a product to preview prompts.')}
          </Typography>
        ) : null}
        {preview.isError ? (
          <Typography variant="pi" textColor="danger600">
            {serverMessage(preview.error)}
          </Typography>
        ) : null}
        {(preview.data ?? []).map((p) => (
          <Box key={p.role} data-preview-role={p.role}>
            <Typography variant="sigma" textColor="neutral600" tag="div">
              {t(`role.${p.role}`, p.role)}
            </Typography>
            <Typography variant="pi" tag="p" style={{ whiteSpace: 'pre-wrap' }}>
              {p.prompt}
            </Typography>
            {p.negativePrompt ? (
              <Typography variant="pi" tag="p" textColor="neutral500" style={{ whiteSpace: 'pre-wrap' }}>
                {t('briefs.negative', 'Negative: {text}', { text: p.negativePrompt })}
              </Typography>
            ) : null}
          </Box>
        ))}
      </Flex>
    </Box>
  );
};

export const BriefEditorPage = () => {
  const t = useT();
  const can = useCan();
  const { toggleNotification } = useNotification();
  const { documentId = '' } = useParams();
  const { data: brief, isLoading, isError } = useBrief(documentId);
  const update = useUpdateBrief(documentId, { placesFieldErrors: true });
  const [draft, setDraft] = useState<Draft | null>(null);
  const [problems, setProblems] = useState<Problems>({});
  const { container, focusFirstError } = useFocusFirstError();
  const readOnly = !can.manageBriefs;

  useEffect(() => {
    if (brief) setDraft(toDraft(brief));
  }, [brief]);

  const dirty = useMemo(() => (brief && draft ? JSON.stringify(toDraft(brief)) !== JSON.stringify(draft) : false), [brief, draft]);

  if (isLoading || (brief && !draft)) return <Page.Loading />;
  if (isError || !brief || !draft) return <Page.Error />;

  const patchRole = (role: Role, patch: Partial<RoleSpec>) => {
    setDraft((d) => d && { ...d, roles: d.roles.map((r) => (r.role === role ? { ...r, ...patch } : r)) });
    setProblems((p) => withoutKeys(p, [`roles.${role}`, ...Object.keys(patch).map((k) => `roles.${role}.${k}`)]));
  };
  const patchDraft = (patch: Partial<Draft>) => {
    setDraft({ ...draft, ...patch });
    setProblems((p) => withoutKeys(p, Object.keys(patch)));
  };

  /** Shows the problems where they are, brings the first into view, and sums them up in a toast. */
  const showProblems = (placed: Problems) => {
    setProblems(placed);
    focusFirstError();
    const count = Object.keys(placed).length;
    toggleNotification({
      type: 'danger',
      message: t('briefs.problems', '{count, plural, one {One field needs} other {# fields need}} attention before this brief can be saved.', { count }),
    });
  };
  const missingRoles = ROLES.filter((r) => !draft.roles.some((s) => s.role === r));

  const save = async () => {
    if (!draft.name.trim()) {
      showProblems({ name: t('briefs.nameRequired', 'A name is required') });
      return;
    }
    const sent = draft;
    try {
      const saved = await update.mutateAsync({
        name: sent.name,
        categories: sent.categories,
        roles: sent.roles.map(stripSpec),
        slotPlan: sent.slotPlan.map(({ slot, roles }) => ({ slot, roles })),
      });
      setProblems({});
      toggleNotification({
        type: 'success',
        message: t('briefs.saved', 'Saved: version {version}', { version: saved?.version ?? brief.version + 1 }),
      });
    } catch (e) {
      const found = fieldProblems(e);
      if (found.length) showProblems(placeProblems(sent, found));
      else toggleNotification({ type: 'danger', message: serverMessage(e) });
    }
  };

  return (
    <Page.Main>
      <Page.Title>{brief.name}</Page.Title>
      <Layouts.Header
        navigationAction={
          <Link to={paths.briefs} style={{ display: 'inline-flex', alignItems: 'center', gap: 8, textDecoration: 'none' }}>
            <ArrowLeft />
            <Typography variant="pi">{t('action.back', 'Back')}</Typography>
          </Link>
        }
        title={brief.name}
        subtitle={
          <Flex gap={2}>
            <Badge variant="secondary" data-testid="brief-version">
              {t('brief.version', 'version {version}', { version: brief.version })}
            </Badge>
            {readOnly ? (
              <Typography variant="pi" textColor="neutral600">
                {t('briefs.readOnly', 'Read only: your role cannot edit briefs.')}
              </Typography>
            ) : null}
          </Flex>
        }
        primaryAction={
          readOnly ? undefined : (
            <Button onClick={save} disabled={!dirty || update.isLoading} loading={update.isLoading}>
              {t('briefs.save', 'Save')}
            </Button>
          )
        }
        secondaryAction={
          !readOnly && dirty ? (
            <Button
              variant="tertiary"
              onClick={() => {
                setDraft(toDraft(brief));
                setProblems({});
              }}
            >
              {t('briefs.discard', 'Discard changes')}
            </Button>
          ) : undefined
        }
      />
      <Layouts.Content>
        <div ref={container}>
        <ProblemText message={problems['']} />
        <Grid.Root gap={4}>
          <Grid.Item col={8} s={12} direction="column" alignItems="stretch" gap={4}>
            <Box background="neutral0" hasRadius shadow="tableShadow" padding={4}>
              <Flex direction="column" alignItems="stretch" gap={4}>
                <Field.Root name="name" required error={problems.name}>
                  <Field.Label>{t('briefs.name', 'Name')}</Field.Label>
                  <TextInput
                    value={draft.name}
                    disabled={readOnly}
                    onChange={(e: React.ChangeEvent<HTMLInputElement>) => patchDraft({ name: e.target.value })}
                  />
                  <Field.Error />
                </Field.Root>
                <Field.Root
                  name="categories"
                  hint={t('briefs.categoriesHint', 'The categories this brief becomes the default for.')}
                  error={problems.categories}
                >
                  <Field.Label>{t('briefs.categories', 'Categories')}</Field.Label>
                  {readOnly ? (
                    <Typography>{(draft.categories ?? []).join(', ') || '–'}</Typography>
                  ) : (
                    <CategoryChecks value={draft.categories ?? []} onChange={(categories) => patchDraft({ categories })} />
                  )}
                  <Field.Hint />
                  <Field.Error />
                </Field.Root>
              </Flex>
            </Box>
            {draft.roles.map((spec) => (
              <RoleSpecEditor
                key={spec.role}
                spec={spec}
                readOnly={readOnly}
                problems={problems}
                onChange={(patch) => patchRole(spec.role, patch)}
                onRemove={() => patchDraft({ roles: draft.roles.filter((r) => r.role !== spec.role) })}
              />
            ))}
            {!readOnly && missingRoles.length ? (
              <Flex gap={2}>
                {missingRoles.map((role) => (
                  <Button
                    key={role}
                    variant="secondary"
                    startIcon={<Plus />}
                    onClick={() =>
                      setDraft({
                        ...draft,
                        roles: [...draft.roles, { role, required: false, aspectRatio: '1:1', minLongEdge: 2000, generator: 'local' }],
                      })
                    }
                  >
                    {t('briefs.addRole', 'Add {role}', { role: t(`role.${role}`, role) })}
                  </Button>
                ))}
              </Flex>
            ) : null}
            <SlotPlanEditor
              plan={draft.slotPlan}
              readOnly={readOnly}
              problem={problems.slotPlan}
              onChange={(slotPlan) => patchDraft({ slotPlan })}
            />
          </Grid.Item>
          <Grid.Item col={4} s={12} direction="column" alignItems="stretch">
            <Box style={{ position: 'sticky', top: 16 }} width="100%">
              <PromptPreview briefId={brief.documentId} draft={draft} />
            </Box>
          </Grid.Item>
        </Grid.Root>
        </div>
      </Layouts.Content>
    </Page.Main>
  );
};
