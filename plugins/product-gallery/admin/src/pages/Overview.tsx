import { useEffect, useMemo, useState } from 'react';
import {
  Box,
  Checkbox,
  Flex,
  LinkButton,
  Loader,
  SingleSelect,
  SingleSelectOption,
  Table,
  Tbody,
  Td,
  Th,
  Thead,
  Tr,
  Typography,
  Button,
  Searchbar,
  SearchForm,
} from '@strapi/design-system';
import { Layouts, Page } from '@strapi/strapi/admin';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { CELL_STATES, useProducts, type ProductFilters } from '../api';
import { SlotCell } from '../components/SlotCell';
import { MatrixFrame, NarrowOnly, ProductText, WideOnly } from '../components/MatrixLayout';
import { useT } from '../utils/translations';
import { mediaUrl, paths } from '../utils/urls';
import { CATEGORIES, SLOTS } from '../utils/vocabulary';

const Count = ({ label, value, tone, testId, note }: { label: string; value: number | string; tone?: string; testId: string; note?: string }) => (
  <Box background="neutral0" hasRadius shadow="tableShadow" padding={4} data-testid={testId}>
    <Typography variant="sigma" textColor="neutral600" tag="div">
      {label}
    </Typography>
    <Typography variant="alpha" textColor={tone ?? 'neutral800'} tag="div">
      {value}
    </Typography>
    {note ? (
      <Typography variant="pi" textColor="neutral600" tag="div">
        {note}
      </Typography>
    ) : null}
  </Box>
);

/** The filters live in the URL, so a reload or a shared link keeps them. */
const useUrlFilters = () => {
  const [params, setParams] = useSearchParams();
  const filters = useMemo<ProductFilters>(
    () => ({
      pageSize: 100,
      q: params.get('q') || undefined,
      category: params.get('category') || undefined,
      missing: params.get('missing') || undefined,
      awaiting: params.get('awaiting') === 'true' || undefined,
    }),
    [params]
  );
  const set = (patch: Partial<ProductFilters>) =>
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        for (const [key, value] of Object.entries(patch)) {
          if (value === undefined || value === '' || value === false) next.delete(key);
          else next.set(key, String(value));
        }
        return next;
      },
      { replace: true }
    );
  const clear = () => setParams(new URLSearchParams(), { replace: true });
  const active = Boolean(filters.q || filters.category || filters.missing || filters.awaiting);
  return { filters, set, clear, active };
};

export const OverviewPage = () => {
  const t = useT();
  const navigate = useNavigate();
  const { filters, set, clear, active } = useUrlFilters();
  const [search, setSearch] = useState(filters.q ?? '');
  const { data, isLoading, isError, isFetching } = useProducts(filters);
  // The box follows the URL (back, clear filters) and the URL follows typing, after a pause.
  useEffect(() => setSearch(filters.q ?? ''), [filters.q]);
  useEffect(() => {
    if (search.trim() === (filters.q ?? '')) return;
    const timer = setTimeout(() => set({ q: search.trim() || undefined }), 400);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [search]);

  return (
    <Page.Main>
      <Page.Title>{t('overview.title', 'Product Gallery')}</Page.Title>
      <Layouts.Header
        title={t('overview.title', 'Product Gallery')}
        subtitle={t('overview.subtitle', 'Every product’s page slots, as its brief plans them: from missing to published.')}
        primaryAction={
          <LinkButton tag={Link} to={paths.review()} variant="secondary">
            {t('overview.openReview', 'Open review queue')}
          </LinkButton>
        }
      />
      <Layouts.Content>
        <Flex direction="column" alignItems="stretch" gap={6}>
          <Flex gap={4} alignItems="stretch" wrap="wrap">
            <Box flex="1" minWidth="160px">
              <Count testId="count-products" label={t('overview.count.products', 'Products')} value={data?.counts.total ?? '–'} />
            </Box>
            <Box flex="1" minWidth="160px">
              <Count
                testId="count-ready"
                label={t('overview.count.ready', 'Products ready')}
                value={data?.counts.ready ?? '–'}
                tone="success600"
              />
            </Box>
            <Box flex="1" minWidth="160px">
              <Count
                testId="count-awaiting"
                label={t('overview.count.awaiting', 'Products awaiting review')}
                value={data?.counts.awaitingReview ?? '–'}
                note={
                  data?.counts.shotsAwaitingReview !== undefined
                    ? t('overview.count.awaitingShots', '{count, plural, one {# shot} other {# shots}} in review', { count: data.counts.shotsAwaitingReview })
                    : undefined
                }
                tone="warning600"
              />
            </Box>
            <Box flex="1" minWidth="160px">
              <Count
                testId="count-missing"
                label={t('overview.count.missing', 'Products with unpublished slots')}
                value={data?.counts.missingAny ?? '–'}
                tone="neutral800"
              />
            </Box>
            <Box flex="1" minWidth="160px">
              <Count
                testId="count-failed"
                label={t('overview.count.failed', 'Products with failed shots')}
                value={data?.counts.failed ?? '–'}
                tone={data?.counts.failed ? 'danger600' : 'neutral800'}
              />
            </Box>
          </Flex>

          <Flex gap={3} wrap="wrap" alignItems="flex-end">
            <Box minWidth="240px">
              <SearchForm
                onSubmit={(e: React.FormEvent) => {
                  e.preventDefault();
                  set({ q: search.trim() || undefined });
                }}
              >
                <Searchbar
                  name="q"
                  value={search}
                  clearLabel={t('overview.search.clear', 'Clear')}
                  placeholder={t('overview.search', 'Search title, SKU or slug')}
                  onClear={() => {
                    setSearch('');
                    set({ q: undefined });
                  }}
                  onChange={(e: React.ChangeEvent<HTMLInputElement>) => setSearch(e.target.value)}
                >
                  {t('overview.search', 'Search title, SKU or slug')}
                </Searchbar>
              </SearchForm>
            </Box>
            <Box minWidth="200px">
              <SingleSelect
                aria-label={t('overview.filter.category', 'Category')}
                placeholder={t('overview.filter.category', 'Category')}
                value={filters.category ?? ''}
                onClear={() => set({ category: undefined })}
                clearLabel={t('overview.filter.clear', 'Clear')}
                onChange={(v) => set({ category: String(v) || undefined })}
              >
                {CATEGORIES.map((c) => (
                  <SingleSelectOption key={c} value={c}>
                    {t(`category.${c}`, c)}
                  </SingleSelectOption>
                ))}
              </SingleSelect>
            </Box>
            <Box minWidth="200px">
              <SingleSelect
                aria-label={t('overview.filter.missing', 'Missing slot')}
                placeholder={t('overview.filter.missing', 'Missing slot')}
                value={filters.missing ?? ''}
                onClear={() => set({ missing: undefined })}
                clearLabel={t('overview.filter.clear', 'Clear')}
                onChange={(v) => set({ missing: String(v) || undefined })}
              >
                {SLOTS.map((s) => (
                  <SingleSelectOption key={s} value={s}>
                    {t(`slot.${s}`, s)}
                    {data?.counts.missingBySlot?.[s] !== undefined ? ` (${data.counts.missingBySlot[s]})` : ''}
                  </SingleSelectOption>
                ))}
              </SingleSelect>
            </Box>
            <Box paddingBottom={2}>
              <Checkbox checked={Boolean(filters.awaiting)} onCheckedChange={(v: boolean | 'indeterminate') => set({ awaiting: v === true || undefined })}>
                {t('overview.filter.awaiting', 'Awaiting review')}
              </Checkbox>
            </Box>
            {isFetching && !isLoading ? <Loader small>{t('loading', 'Loading…')}</Loader> : null}
          </Flex>

          {isLoading ? (
            <Page.Loading />
          ) : isError ? (
            <Page.Error />
          ) : !data?.products.length ? (
            <Box background="neutral0" padding={8} hasRadius shadow="tableShadow" data-testid="overview-empty">
              {active ? (
                <Flex direction="column" alignItems="flex-start" gap={3}>
                  <Typography textColor="neutral600">{t('overview.emptyFiltered', 'No product matches the search and filters.')}</Typography>
                  <Button variant="secondary" onClick={() => clear()}>
                    {t('overview.clearFilters', 'Clear filters')}
                  </Button>
                </Flex>
              ) : (
                <Typography textColor="neutral600">
                  {t('overview.empty', 'No products yet. Create a product with a source photo in the Content Manager.')}
                </Typography>
              )}
            </Box>
          ) : (
            <Flex direction="column" alignItems="stretch" gap={2}>
            {data.counts.slotStates ? (
              <Flex gap={3} wrap="wrap" data-testid="slot-legend" aria-label={t('overview.legend', 'Slots shown, by state')}>
                <Typography variant="pi" textColor="neutral600">
                  {t('overview.legend', 'Slots shown, by state')}
                </Typography>
                {CELL_STATES.map((state) => (
                  <Flex key={state} gap={1} data-legend={state}>
                    <SlotCell state={state} compact />
                    <Typography variant="pi" fontWeight="semiBold">
                      {data.counts.slotStates?.[state] ?? 0}
                    </Typography>
                  </Flex>
                ))}
              </Flex>
            ) : null}
            <MatrixFrame>
            <Table colCount={SLOTS.length + 2} rowCount={data.products.length + 1} data-testid="readiness-matrix">
              <Thead>
                <Tr>
                  <Th>
                    <Typography variant="sigma">{t('overview.col.product', 'Product')}</Typography>
                  </Th>
                  {SLOTS.map((s) => (
                    <Th key={s}>
                      <Typography variant="sigma">{t(`slot.${s}`, s)}</Typography>
                    </Th>
                  ))}
                  <Th>
                    <Typography variant="sigma">{t('overview.col.review', 'Review')}</Typography>
                  </Th>
                </Tr>
              </Thead>
              <Tbody>
                {data.products.map((p) => {
                  const bySlot = new Map(p.slots.map((s) => [s.slot, s]));
                  const line = [p.category ? t(`category.${p.category}`, p.category) : null, p.sku].filter(Boolean).join(' · ');
                  return (
                    <Tr
                      key={p.documentId}
                      data-product={p.slug ?? p.documentId}
                      onClick={() => navigate(paths.product(p.documentId))}
                      style={{ cursor: 'pointer' }}
                    >
                      <Td>
                        <Flex gap={3}>
                          <Box
                            width="40px"
                            height="40px"
                            hasRadius
                            background="neutral100"
                            style={{ overflow: 'hidden', flexShrink: 0 }}
                          >
                            {p.sourcePhoto ? (
                              <img
                                src={mediaUrl(p.sourcePhoto.thumbnailUrl ?? p.sourcePhoto.url)}
                                alt=""
                                width={40}
                                height={40}
                                style={{ objectFit: 'cover', display: 'block' }}
                              />
                            ) : null}
                          </Box>
                          {/* A bounded column: a long title or SKU is cut with an ellipsis (whole in its
                              tooltip) instead of widening the matrix past the page. */}
                          <ProductText>
                            <Typography fontWeight="semiBold" ellipsis title={p.title} style={{ maxWidth: '100%' }}>
                              {p.title}
                            </Typography>
                            {/* the category rides under the title: a column of its own pushed the matrix past 1440 px */}
                            <Typography variant="pi" textColor="neutral600" ellipsis title={line} style={{ maxWidth: '100%' }}>
                              {line}
                            </Typography>
                          </ProductText>
                        </Flex>
                      </Td>
                      {SLOTS.map((s) => {
                        const cell = bySlot.get(s);
                        return (
                          <Td key={s}>
                            {cell ? (
                              <SlotCell state={cell.state} />
                            ) : (
                              <Typography variant="pi" textColor="neutral400">
                                {t('overview.notPlanned', 'not planned')}
                              </Typography>
                            )}
                          </Td>
                        );
                      })}
                      <Td>
                        <Typography
                          variant="pi"
                          fontWeight={p.readiness.awaitingReview ? 'bold' : undefined}
                          textColor={p.readiness.awaitingReview ? 'warning600' : 'neutral500'}
                        >
                          <WideOnly>
                            {t('overview.awaitingCount', '{count, plural, =0 {none} one {# shot in review} other {# shots in review}}', {
                              count: p.readiness.awaitingReview,
                            })}
                          </WideOnly>
                          <NarrowOnly aria-hidden>
                            {t('overview.awaitingShort', '{count, plural, =0 {none} other {# in review}}', { count: p.readiness.awaitingReview })}
                          </NarrowOnly>
                        </Typography>
                      </Td>
                    </Tr>
                  );
                })}
              </Tbody>
            </Table>
            </MatrixFrame>
            </Flex>
          )}
        </Flex>
      </Layouts.Content>
    </Page.Main>
  );
};
