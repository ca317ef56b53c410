# The change a pull request proposes to Fernhill's infrastructure: an
# exports bucket for a vendor, a database, a deploy user... `terraform show
# -json` of its plan is plan.json; expected.txt is what panther scan says.

provider "aws" {
  region = "eu-west-1"
}

resource "aws_s3_bucket" "exports" {
  bucket = "fernhill-vendor-exports"
}

resource "aws_s3_bucket_public_access_block" "exports" {
  bucket                  = aws_s3_bucket.exports.id
  block_public_acls       = true
  ignore_public_acls      = true
  block_public_policy     = false
  restrict_public_buckets = false
}

resource "aws_s3_bucket_policy" "exports" {
  bucket = aws_s3_bucket.exports.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "vendor"
      Effect    = "Allow"
      Principal = "*"
      Action    = "s3:GetObject"
      Resource  = "arn:aws:s3:::fernhill-vendor-exports/*"
    }]
  })
}

resource "aws_s3_bucket_versioning" "exports" {
  bucket = aws_s3_bucket.exports.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket" "reports" {
  bucket = "fernhill-reports"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "reports" {
  bucket = aws_s3_bucket.reports.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.data.arn
    }
  }
}

resource "aws_s3_bucket_logging" "reports" {
  bucket        = aws_s3_bucket.reports.id
  target_bucket = "fernhill-access-logs"
  target_prefix = "reports/"
}

resource "aws_kms_key" "data" {
  description         = "reports and database"
  enable_key_rotation = false
}

resource "aws_db_instance" "orders" {
  identifier          = "orders"
  engine              = "postgres"
  instance_class      = "db.t4g.micro"
  allocated_storage   = 20
  storage_encrypted   = false
  publicly_accessible = true
  username            = "orders"
  manage_master_user_password = true
}

resource "aws_security_group" "bastion" {
  name        = "bastion-vendor"
  description = "SSH for the vendor"
  vpc_id      = module.network.vpc_id

  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_security_group" "db" {
  name        = "orders-db"
  description = "PostgreSQL"
  vpc_id      = module.network.vpc_id
}

resource "aws_vpc_security_group_ingress_rule" "db_anywhere" {
  security_group_id = aws_security_group.db.id
  cidr_ipv4         = "0.0.0.0/0"
  from_port         = 5432
  to_port           = 5432
  ip_protocol       = "tcp"
}

resource "aws_instance" "bastion" {
  ami                    = "ami-0c1f5a3e9b2d47e86"
  instance_type          = "t3.micro"
  vpc_security_group_ids = [aws_security_group.bastion.id]

  metadata_options {
    http_tokens = "required"
  }
}

resource "aws_iam_user" "deploy" {
  name = "vendor-deploy"
}

resource "aws_iam_user_policy_attachment" "deploy_admin" {
  user       = aws_iam_user.deploy.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}

resource "aws_iam_role" "ci" {
  name = "vendor-ci"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { AWS = "*" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_account_password_policy" "strict" {
  minimum_password_length   = 8
  password_reuse_prevention = 24
  require_lowercase_characters = true
  require_uppercase_characters = true
  require_numbers           = true
  require_symbols           = true
}

resource "aws_cloudtrail" "main" {
  name                       = "main"
  s3_bucket_name             = "fernhill-cloudtrail"
  is_multi_region_trail      = true
  enable_log_file_validation = false
  kms_key_id                 = aws_kms_key.data.arn
}

resource "aws_lambda_function" "hook" {
  function_name = "vendor-hook"
  role          = aws_iam_role.ci.arn
  runtime       = "python3.12"
  handler       = "app.handler"
  filename      = "hook.zip"
}

resource "aws_lambda_function_url" "hook" {
  function_name      = aws_lambda_function.hook.function_name
  authorization_type = "NONE"
}

resource "aws_config_configuration_recorder" "main" {
  name     = "default"
  role_arn = "arn:aws:iam::314159265358:role/aws-config"
}

resource "aws_guardduty_detector" "main" {
  enable = true
}

module "network" {
  source = "./modules/network"
  cidr   = "10.20.0.0/16"
}
