import type { ReactNode } from 'react';
import { Layouts, SubNav } from '@strapi/strapi/admin';
import { useT } from '../utils/translations';
import { paths } from '../utils/urls';

/** The plugin's frame: a sub navigation (Overview, Review queue, Briefs) and the page. */
export const PluginLayout = ({ children }: { children: ReactNode }) => {
  const t = useT();
  return (
    <Layouts.Root
      sideNav={
        <SubNav.Main aria-label={t('plugin.name', 'Product Gallery')}>
          <SubNav.Header label={t('plugin.name', 'Product Gallery')} />
          <SubNav.Sections>
            {[
              <SubNav.Section key="main" label={t('nav.section', 'Galleries')}>
                {[
                  <SubNav.Link key="overview" to={paths.root} end label={t('nav.overview', 'Overview')} />,
                  <SubNav.Link key="review" to={paths.review()} label={t('nav.review', 'Review queue')} />,
                  <SubNav.Link key="briefs" to={paths.briefs} label={t('nav.briefs', 'Briefs')} />,
                ]}
              </SubNav.Section>,
            ]}
          </SubNav.Sections>
        </SubNav.Main>
      }
    >
      {children}
    </Layouts.Root>
  );
};
