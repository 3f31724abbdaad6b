import { useEffect, useState } from 'react';
import { Box, Button, Field, Flex, Modal, SingleSelect, SingleSelectOption, Typography } from '@strapi/design-system';
import { useNotification } from '@strapi/strapi/admin';
import { useConfig, useImportAsset, type AssetView } from '../api';
import { importEffect, intakeProblems, measureImage, ruleWarnings, type Finding, type PixelSize } from '../utils/import-check';
import { useT, type T } from '../utils/translations';
import { ROLES, type Role } from '../utils/vocabulary';

/** The brief's rules for one role, as the workspace's shot list has them. */
export interface RoleRules {
  role: Role;
  minLongEdge?: number | null;
  aspectRatio?: string | null;
}

/** A finding in words; every id spelled out, so the translations check sees each one. */
const sayFinding = (t: T, f: Finding, role: string) => {
  const values = { ...f.values, role };
  switch (f.id) {
    case 'import.refused.type':
      return t('import.refused.type', 'The file is a {type} file, a format this gallery does not take. Upload a {types} photo.', values);
    case 'import.refused.bytes':
      return t('import.refused.bytes', 'The file is {size}; the limit is {limit}. Export the photo at a lower quality or size and upload it again.', values);
    case 'import.refused.pixels':
      return t('import.refused.pixels', 'The photo is {width}×{height} ({megapixels} megapixels); the limit is {limit} megapixels. Resize it and upload it again.', values);
    case 'import.refused.small':
      return t('import.refused.small', 'The photo is only {width}×{height} pixels; its shorter side must be at least {min} px for a product page. Upload the original, larger photo.', values);
    case 'import.rule.minLongEdge':
      return t('import.rule.minLongEdge', 'This image is {width} × {height} px; the “{role}” shot needs at least {min} px on its long side.', values);
    case 'import.rule.aspectRatio':
      return t('import.rule.aspectRatio', 'This image has a {actual} frame; the “{role}” shot needs a {required} frame, so {severity, select, slight {a thin strip of it would be cropped} other {it would be cropped or letterboxed}}.', values);
    case 'import.effect.noSlot':
      return t('import.effect.noSlot', 'The brief has no page slot for “{role}” images: this one cannot be published until a slot takes them.', values);
    case 'import.effect.replaces':
      return t('import.effect.replaces', 'The “{role}” image on the page stays there until another one is published. This import becomes a new draft beside it{waiting, plural, =0 {} one { and # other waiting candidate} other { and # other waiting candidates}}; publishing it archives the one on the page.', values);
    case 'import.effect.beside':
      return t('import.effect.beside', 'No “{role}” image is on the page yet. This import becomes a new draft beside {waiting, plural, one {# other candidate} other {# other candidates}}; whichever is published first fills the slot, and publishing another later replaces it.', values);
    case 'import.effect.first':
      return t('import.effect.first', 'This is the first “{role}” image: a draft that fills its slot once it is approved and published.', values);
    default:
      return f.id;
  }
};

/**
 * Import an outside image (a photographer's shot, another tool's output) as a candidate for a role.
 * Before uploading it says what the server would refuse (and does not offer the upload: it could
 * only fail), where the image breaks the role's size and frame rules (and still offers it: the
 * photographer's only shot may be worth approving with a written reason, which the checks will
 * ask for), and what the import does to the role's images already there.
 */
export const ImportDialog = ({
  open,
  productId,
  defaultRole,
  rules,
  assets,
  slotsOf,
  onClose,
}: {
  open: boolean;
  productId: string;
  defaultRole?: Role;
  rules: readonly RoleRules[];
  assets: readonly AssetView[];
  /** How many of the plan's slots a role can fill. */
  slotsOf: (role: Role) => number;
  onClose: () => void;
}) => {
  const t = useT();
  const { toggleNotification } = useNotification();
  const config = useConfig();
  const [role, setRole] = useState<Role>(defaultRole ?? 'clean');
  const [file, setFile] = useState<File | null>(null);
  const [size, setSize] = useState<PixelSize | null>(null);
  const [measuring, setMeasuring] = useState(false);
  const importAsset = useImportAsset(productId);
  useEffect(() => {
    if (open) {
      setRole(defaultRole ?? 'clean');
      setFile(null);
    }
  }, [open, defaultRole]);
  useEffect(() => {
    setSize(null);
    if (!file) return undefined;
    let current = true;
    setMeasuring(true);
    measureImage(file).then((measured) => {
      if (!current) return;
      setSize(measured);
      setMeasuring(false);
    });
    return () => {
      current = false;
    };
  }, [file]);

  const roleName = t(`role.${role}`, role);
  const say = (f: Finding) => sayFinding(t, f, roleName);
  const refused = file ? intakeProblems(file, size, config.data?.intake ?? null) : [];
  // A refused file is not offered for import at all: its rule warnings would only blur that.
  const warnings = file && size && !refused.length ? ruleWarnings(size, rules.find((r) => r.role === role)) : [];
  const effect = importEffect(role, assets, slotsOf(role));

  const submit = async () => {
    if (!file) return;
    try {
      const { warnings } = (await importAsset.mutateAsync({ file, role })).meta;
      toggleNotification({
        type: warnings.length ? 'warning' : 'success',
        message: warnings.length
          ? t('import.done.flagged', 'Imported as a draft. Its checks flag {count, plural, one {the rule} other {the # rules}} the form warned about: approving it needs a written reason.', { count: warnings.length })
          : t('import.done', 'Imported as a draft: it is in the shots, ready for review.'),
      });
      onClose();
    } catch {
      /* notified by the api module */
    }
  };

  return (
    <Modal.Root open={open} onOpenChange={(o) => (!o ? onClose() : undefined)}>
      <Modal.Content>
        <Modal.Header>
          <Modal.Title>{t('import.title', 'Import an image')}</Modal.Title>
        </Modal.Header>
        <Modal.Body>
          <Flex direction="column" alignItems="stretch" gap={4}>
            <Typography variant="omega" textColor="neutral700">
              {t('import.description', 'The image goes through intake, renditions and checks like a generated one, then into review.')}
            </Typography>
            <Field.Root name="role" required>
              <Field.Label>{t('import.role', 'Role')}</Field.Label>
              <SingleSelect value={role} onChange={(v) => setRole(v as Role)}>
                {ROLES.map((r) => (
                  <SingleSelectOption key={r} value={r}>
                    {t(`role.${r}`, r)}
                  </SingleSelectOption>
                ))}
              </SingleSelect>
            </Field.Root>
            <Typography variant="pi" textColor="neutral700" data-testid="import-effect" data-effect={effect.id.split('.').pop()}>
              {say(effect)}
            </Typography>
            <Field.Root
              name="file"
              required
              hint={
                file
                  ? [file.name, size ? `${size.width} × ${size.height} px` : null, `${Math.round(file.size / 1024)} KB`].filter(Boolean).join(' · ')
                  : undefined
              }
            >
              <Field.Label>{t('import.file', 'Image file')}</Field.Label>
              <input
                type="file"
                name="file"
                accept={(config.data?.intake?.types.map((x) => x.mime) ?? ['image/jpeg', 'image/png', 'image/webp']).join(',')}
                onChange={(e) => setFile(e.target.files?.[0] ?? null)}
              />
              <Field.Hint />
            </Field.Root>
            {file && !measuring && !size && !refused.length ? (
              <Typography variant="pi" textColor="neutral600" data-testid="import-unmeasured">
                {t('import.unmeasured', 'This browser cannot read the image’s size; the server checks it when you import.')}
              </Typography>
            ) : null}
            {refused.length ? (
              <Box background="danger100" borderColor="danger200" borderStyle="solid" borderWidth="1px" hasRadius padding={3} data-testid="import-refused" role="alert">
                <Typography variant="pi" fontWeight="bold" textColor="danger700" tag="div">
                  {t('import.refused.title', 'This file cannot be imported')}
                </Typography>
                {refused.map((f) => (
                  <Typography key={f.id} variant="pi" textColor="neutral800" tag="p" data-rule={f.id}>
                    {say(f)}
                  </Typography>
                ))}
              </Box>
            ) : warnings.length ? (
              <Box background="warning100" borderColor="warning200" borderStyle="solid" borderWidth="1px" hasRadius padding={3} data-testid="import-warning" role="alert">
                <Typography variant="pi" fontWeight="bold" textColor="warning700" tag="div">
                  {t('import.rule.title', 'This image breaks the rules for the “{role}” shot', { role: roleName })}
                </Typography>
                {warnings.map((f) => (
                  <Typography key={f.id} variant="pi" textColor="neutral800" tag="p" data-rule={f.id.split('.').pop()}>
                    {say(f)}
                  </Typography>
                ))}
                <Typography variant="pi" textColor="neutral700" tag="p">
                  {t('import.rule.consequence', 'You can still import it: its checks will flag the same, and approving it will need a written reason.')}
                </Typography>
              </Box>
            ) : null}
            {importAsset.isLoading ? (
              <Typography variant="pi" textColor="neutral600">
                {t('import.working', 'Uploading and checking the image…')}
              </Typography>
            ) : null}
          </Flex>
        </Modal.Body>
        <Modal.Footer>
          <Modal.Close>
            <Button variant="tertiary">{t('action.cancel', 'Cancel')}</Button>
          </Modal.Close>
          <Button
            onClick={submit}
            disabled={!file || measuring || refused.length > 0 || importAsset.isLoading}
            loading={importAsset.isLoading}
            variant={warnings.length ? 'secondary' : 'default'}
          >
            {warnings.length ? t('import.submitAnyway', 'Import anyway') : t('import.submit', 'Import')}
          </Button>
        </Modal.Footer>
      </Modal.Content>
    </Modal.Root>
  );
};
