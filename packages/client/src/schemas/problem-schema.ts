import { Type } from 'typebox'

/** An RFC 9457 problem document with Coffer's error code: every refusal of the API has this shape. */
export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.String(),
  },
  { description: "An RFC 9457 problem document with Coffer's error code" },
)
