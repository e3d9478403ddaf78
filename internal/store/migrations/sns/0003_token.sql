-- Confirmation links carry a token and a topic ARN; AWS confirms by the token alone, so
-- subscriptions are also looked up by token within an account and region.
CREATE INDEX sns_subscriptions_token ON sns_subscriptions (account, region, token);
