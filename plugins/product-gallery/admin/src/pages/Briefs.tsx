import { useEffect, useState } from 'react';
import {
  Badge,
  Box,
  Button,
  Checkbox,
  Field,
  Flex,
  LinkButton,
  Modal,
  Table,
  Tbody,
  Td,
  TextInput,
  Th,
  Thead,
  Tr,
  Typography,
} from '@strapi/design-system';
import { Duplicate, Pencil } from '@strapi/icons';
import { Layouts, Page } from '@strapi/strapi/admin';
import { Link, useNavigate } from 'react-router-dom';
import { useBriefs, useCloneBrief, type Brief } from '../api';
import { fieldProblems } from '../utils/field-errors';
import { useCan } from '../utils/permissions';
import { useT } from '../utils/translations';
import { paths } from '../utils/urls';
import { CATEGORIES, type Category } from '../utils/vocabulary';

export const CategoryChecks = ({
  value,
  onChange,
  taken,
}: {
  value: Category[];
  onChange: (v: Category[]) => void;
  taken?: Map<string, string>;
}) => {
  const t = useT();
  return (
    <Flex gap={4} wrap="wrap">
      {CATEGORIES.map((c) => (
        <Checkbox
          key={c}
          checked={value.includes(c)}
          onCheckedChange={(checked: boolean | 'indeterminate') =>
            onChange(checked === true ? [...value, c] : value.filter((x) => x !== c))
          }
        >
          {t(`category.${c}`, c)}
          {taken?.get(c) ? ` (${taken.get(c)})` : ''}
        </Checkbox>
      ))}
    </Flex>
  );
};

const CloneDialog = ({ source, onClose }: { source: Brief | null; onClose: () => void }) => {
  const t = useT();
  const navigate = useNavigate();
  const clone = useCloneBrief({ placesFieldErrors: true });
  const [name, setName] = useState('');
  const [categories, setCategories] = useState<Category[]>([]);
  const [problems, setProblems] = useState<Record<string, string>>({});
  useEffect(() => {
    if (source) {
      setName(t('briefs.cloneName', '{name} (copy)', { name: source.name }));
      setCategories([]);
      setProblems({});
    }
  }, [source, t]);
  const submit = async () => {
    if (!source || !name.trim()) return;
    try {
      const created = await clone.mutateAsync({ documentId: source.documentId, name: name.trim(), categories });
      onClose();
      if (created?.documentId) navigate(paths.brief(created.documentId));
    } catch (e) {
      // The dialog has two fields: anything the server says about another path sits on the name.
      setProblems(Object.fromEntries(fieldProblems(e).map((p) => [p.path[0] === 'categories' ? 'categories' : 'name', p.message])));
    }
  };
  return (
    <Modal.Root open={Boolean(source)} onOpenChange={(o) => (!o ? onClose() : undefined)}>
      <Modal.Content>
        <Modal.Header>
          <Modal.Title>{t('briefs.cloneTitle', 'Clone “{name}”', { name: source?.name ?? '' })}</Modal.Title>
        </Modal.Header>
        <Modal.Body>
          <Flex direction="column" alignItems="stretch" gap={4}>
            <Field.Root name="name" required error={!name.trim() ? t('briefs.nameRequired', 'A name is required') : problems.name}>
              <Field.Label>{t('briefs.name', 'Name')}</Field.Label>
              <TextInput
                value={name}
                onChange={(e: React.ChangeEvent<HTMLInputElement>) => {
                  setName(e.target.value);
                  setProblems(({ name: _gone, ...rest }) => rest);
                }}
              />
              <Field.Error />
            </Field.Root>
            <Field.Root
              name="categories"
              hint={t('briefs.categoriesHint', 'The categories this brief becomes the default for.')}
              error={problems.categories}
            >
              <Field.Label>{t('briefs.categories', 'Categories')}</Field.Label>
              <CategoryChecks
                value={categories}
                onChange={(next) => {
                  setCategories(next);
                  setProblems(({ categories: _gone, ...rest }) => rest);
                }}
              />
              <Field.Hint />
              <Field.Error />
            </Field.Root>
          </Flex>
        </Modal.Body>
        <Modal.Footer>
          <Modal.Close>
            <Button variant="tertiary">{t('action.cancel', 'Cancel')}</Button>
          </Modal.Close>
          <Button onClick={submit} loading={clone.isLoading} disabled={!name.trim()}>
            {t('briefs.clone', 'Clone')}
          </Button>
        </Modal.Footer>
      </Modal.Content>
    </Modal.Root>
  );
};

export const BriefsPage = () => {
  const t = useT();
  const can = useCan();
  const { data, isLoading, isError } = useBriefs();
  const [cloneOf, setCloneOf] = useState<Brief | null>(null);
  return (
    <Page.Main>
      <Page.Title>{t('briefs.title', 'Briefs')}</Page.Title>
      <Layouts.Header
        title={t('briefs.title', 'Briefs')}
        subtitle={t('briefs.subtitle', 'Which shots each category needs, how they are made, and which page slot each fills.')}
      />
      <Layouts.Content>
        {isLoading ? (
          <Page.Loading />
        ) : isError ? (
          <Page.Error />
        ) : (
          <Table colCount={5} rowCount={(data?.length ?? 0) + 1} data-testid="briefs-table">
            <Thead>
              <Tr>
                <Th>
                  <Typography variant="sigma">{t('briefs.name', 'Name')}</Typography>
                </Th>
                <Th>
                  <Typography variant="sigma">{t('briefs.categories', 'Categories')}</Typography>
                </Th>
                <Th>
                  <Typography variant="sigma">{t('briefs.roles', 'Roles')}</Typography>
                </Th>
                <Th>
                  <Typography variant="sigma">{t('briefs.version', 'Version')}</Typography>
                </Th>
                <Th>
                  <Typography variant="sigma">{t('workspace.col.actions', 'Actions')}</Typography>
                </Th>
              </Tr>
            </Thead>
            <Tbody>
              {(data ?? []).map((b) => (
                <Tr key={b.documentId} data-brief={b.name}>
                  <Td>
                    <Typography fontWeight="semiBold">{b.name}</Typography>
                  </Td>
                  <Td>
                    <Flex gap={1} wrap="wrap">
                      {(b.categories ?? []).length ? (
                        (b.categories ?? []).map((c) => <Badge key={c}>{t(`category.${c}`, c)}</Badge>)
                      ) : (
                        <Typography variant="pi" textColor="neutral500">
                          {t('briefs.noCategories', 'none (only by assignment)')}
                        </Typography>
                      )}
                    </Flex>
                  </Td>
                  <Td>
                    {/* the roles wrap (table cells do not by default), so the actions stay in view at 1024 px */}
                    <Typography variant="pi" style={{ whiteSpace: 'normal' }}>
                      {(b.roles ?? [])
                        .map((r) => `${t(`role.${r.role}`, r.role)}${r.required ? '' : '*'}`)
                        .join(', ')}
                    </Typography>
                  </Td>
                  <Td>
                    <Badge variant="secondary">v{b.version}</Badge>
                  </Td>
                  <Td>
                    <Flex gap={2}>
                      <LinkButton size="S" variant="tertiary" tag={Link} to={paths.brief(b.documentId)} startIcon={<Pencil />}>
                        {can.manageBriefs ? t('briefs.edit', 'Edit') : t('briefs.view', 'View')}
                      </LinkButton>
                      {can.manageBriefs ? (
                        <Button size="S" variant="tertiary" startIcon={<Duplicate />} onClick={() => setCloneOf(b)}>
                          {t('briefs.clone', 'Clone')}
                        </Button>
                      ) : null}
                    </Flex>
                  </Td>
                </Tr>
              ))}
            </Tbody>
          </Table>
        )}
        <Box paddingTop={2}>
          <Typography variant="pi" textColor="neutral500">
            {t('briefs.optionalNote', '* optional role')}
          </Typography>
        </Box>
      </Layouts.Content>
      <CloneDialog source={cloneOf} onClose={() => setCloneOf(null)} />
    </Page.Main>
  );
};
