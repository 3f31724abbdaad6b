import { styled } from 'styled-components';

/**
 * The overview matrix sizes itself by the room it is given, not by the window: the admin's side
 * navigation and sub-navigation take a varying share, so a container query is what tells whether
 * seven columns of full labels fit. Below that width the slot cells keep their coloured mark and
 * colour (the legend above names them) and hide their words from view, not from screen readers.
 */
const NARROW = '(max-width: 1000px)';

export const MatrixFrame = styled.div`
  container-type: inline-size;
  container-name: pg-matrix;
  width: 100%;
`;

/** The product column: a title and SKU cut with an ellipsis (whole in the tooltip), narrower in a narrow matrix. */
export const ProductText = styled.div`
  display: flex;
  flex-direction: column;
  align-items: flex-start;
  flex-shrink: 0;
  width: 18rem;
  @container pg-matrix ${NARROW} {
    width: clamp(10rem, 17cqi, 18rem);
  }
`;

/** Words shown only where the matrix has room for them (still read out by screen readers). */
export const WideOnly = styled.span`
  @container pg-matrix ${NARROW} {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
`;

/** Words shown only in a narrow matrix, in place of a WideOnly sibling. */
export const NarrowOnly = styled.span`
  display: none;
  @container pg-matrix ${NARROW} {
    display: inline;
  }
`;
